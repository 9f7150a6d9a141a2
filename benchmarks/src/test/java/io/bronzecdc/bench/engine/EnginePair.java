package io.bronzecdc.bench.engine;

import io.bronzecdc.cli.engine.EngineProcess;
import io.bronzecdc.cli.engine.ProjectLayout;
import io.bronzecdc.cli.engine.FlinkEngine;
import io.bronzecdc.cli.engine.SparkEngine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bronzecdc.bench.engine.BronzeLogs.StreamedRow;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.TestPipelineYaml;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * The two pipelines of a parity test on one database: a Flink job streaming in its own JVM and Spark micro-batch
 * runs, each in its own JVM, with their configs and outputs in one work folder. Failures carry the engine's last
 * output and the test's context (for example its seed).
 */
final class EnginePair {
    static final int TAIL_LINES = 40;
    private static final Duration SPARK_RUN_TIMEOUT = Duration.ofSeconds(120);

    /** One pipeline: its engine, slot (publication {@code <slot>_pub}) and bronze schema. */
    record Pipeline(String engine, String slot, BronzeSchema schema) {
    }

    private final PostgresExtension postgres;
    private final Path work;
    private final Pipeline flinkPipeline;
    private final Pipeline sparkPipeline;
    private final FlinkEngine flinkEngine;
    private final SparkEngine sparkEngine;
    private String context = "";
    private String bronzeDatabase;
    private EngineProcess flink;

    /** @param workFolder below the module's folder, for example {@code target/parity-it} */
    EnginePair(PostgresExtension postgres, String workFolder, Pipeline flink, Pipeline spark) throws IOException {
        ProjectLayout layout = ProjectLayout.fromSystemProperties();
        this.postgres = postgres;
        this.work = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).resolve(workFolder);
        this.flinkPipeline = flink;
        this.sparkPipeline = spark;
        this.flinkEngine = FlinkEngine.of(layout);
        this.sparkEngine = SparkEngine.of(layout);
        Files.createDirectories(work);
    }

    Path work() {
        return work;
    }

    /** Text appended to every failure, for example the seed and how to replay it. */
    void context(String text) {
        context = text;
    }

    /**
     * Puts both pipelines' bronze into {@code database} on the same server ({@code target:}), before
     * {@link #writeConfigs}; without it bronze is in the source database.
     */
    void bronzeIn(String database) {
        bronzeDatabase = database;
    }

    /** A new connection to the database bronze is written to (the source's, or {@link #bronzeIn}'s). */
    Connection connectBronze() throws SQLException {
        return bronzeDatabase == null ? postgres.connect() : postgres.connect(bronzeDatabase);
    }

    /**
     * Writes both pipelines' YAML (password from a file; trust authentication ignores it).
     *
     * @param edit applied to each YAML text, for example to name other tables
     */
    void writeConfigs(UnaryOperator<String> edit) throws IOException {
        Path password = work.resolve("source-password");
        Files.writeString(password, "trust-auth-ignores-it\n");
        for (Pipeline pipeline : List.of(flinkPipeline, sparkPipeline)) {
            String yaml = TestPipelineYaml.of(postgres.server().port(), postgres.database(), pipeline.slot(),
                    pipeline.schema().name(), "file: " + password.toAbsolutePath());
            if (bronzeDatabase != null) {
                yaml += String.join("\n", "", "target:", "  host: 127.0.0.1", "  port: " + postgres.server().port(),
                        "  database: " + bronzeDatabase, "  user: " + EmbeddedPostgresServer.SUPERUSER,
                        "  password: {file: " + password.toAbsolutePath() + "}", "  sslmode: disable", "");
            }
            Files.writeString(config(pipeline), edit.apply(yaml));
        }
    }

    /** Starts the Flink job in its own JVM, its output to {@code flink.out}. */
    EngineProcess startFlink() throws IOException {
        flink = flinkEngine.start(config(flinkPipeline), work.resolve("flink.out"));
        return flink;
    }

    /** Starts one Spark micro-batch in its own JVM, its output to {@code <name>.out}. */
    EngineProcess startSpark(String name) throws IOException {
        return sparkEngine.start(config(sparkPipeline), work.resolve(name + ".out"));
    }

    /** Waits for a Spark run and requires exit code 0. */
    void awaitSuccess(EngineProcess run) throws InterruptedException {
        awaitSuccess(run, SPARK_RUN_TIMEOUT);
    }

    /** Waits up to {@code timeout} for a Spark run and requires exit code 0. */
    void awaitSuccess(EngineProcess run, Duration timeout) throws InterruptedException {
        int exitCode = run.awaitExit(timeout);
        System.out.printf("%s: exit %d after %d ms (JVM start included)%n", run.output().getFileName(), exitCode,
                run.runtime().toMillis());
        assertThat(exitCode).as("exit code of the spark run; output (%s):%n%s%n%s", run.output(),
                run.tail(TAIL_LINES), context).isZero();
    }

    /** Waits until Flink's bronze holds exactly {@code expected} rows per table, never more. */
    void awaitFlinkBronze(Map<TableId, Long> expected, Duration timeout, String what) {
        List<TableId> tables = List.copyOf(expected.keySet());
        long started = System.nanoTime();
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(250))
                    .failFast("the flink engine exited", () -> !flink.isAlive())
                    .untilAsserted(() -> {
                        Map<TableId, Long> counts;
                        try (Connection c = connectBronze()) {
                            counts = BronzeLogs.counts(c, flinkPipeline.schema(), tables);
                        }
                        expected.forEach((table, rows) -> assertThat(counts.get(table))
                                .as("never more rows than expected in %s", table).isLessThanOrEqualTo(rows));
                        assertThat(counts).containsExactlyInAnyOrderEntriesOf(expected);
                    });
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw new AssertionError("flink bronze did not reach " + what + " " + expected + ": " + e.getMessage()
                    + "\n" + flink + ", last output:\n" + flink.tail(TAIL_LINES) + "\n" + context, e);
        }
        System.out.printf("flink bronze holds %s %d ms after the wait began%n", what,
                (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * Validates {@code pipeline}'s bronze schema over {@code tables} with every check (replay compared with the
     * source, the pipeline's slot present), prints the report and requires no violation.
     *
     * @param c a connection to the source database (bronze is read from {@link #connectBronze})
     * @return the report, for further assertions
     */
    ValidationReport assertValid(Connection c, Pipeline pipeline, List<TableId> tables) throws SQLException {
        ValidationOptions options = ValidationOptions.defaults();
        assertThat(options.compareWithSource()).as("replay is compared with the source").isTrue();
        ValidationReport report;
        if (bronzeDatabase == null) {
            report = BronzeValidator.validate(c, pipeline.schema(), tables, options.withSlot(pipeline.slot()));
        } else {
            try (Connection bronze = connectBronze()) {
                report = BronzeValidator.validate(bronze, c, pipeline.schema(), tables,
                        options.withSlot(pipeline.slot()));
            }
        }
        System.out.print(report.toText());
        assertThat(report.violations()).as("validation of %s:%n%s%n%s", pipeline.schema(), report.toText(), context)
                .isEmpty();
        return report;
    }

    /**
     * Requires both engines' streamed rows of {@code table} to agree in every column but load_ts.
     *
     * @param c a connection to the bronze database ({@link #connectBronze})
     */
    void assertSameStream(Connection c, TableId table) throws SQLException {
        List<StreamedRow> flinkRows = BronzeLogs.streamed(c, flinkPipeline.schema(), table);
        List<StreamedRow> sparkRows = BronzeLogs.streamed(c, sparkPipeline.schema(), table);
        assertThat(BronzeLogs.firstDifference(table, flinkPipeline.engine(), flinkRows, sparkPipeline.engine(),
                sparkRows)).as("streamed changes of %s: flink and spark must agree in every column but load_ts; %s",
                        table, context).isEmpty();
    }

    private Path config(Pipeline pipeline) {
        return work.resolve(pipeline.engine() + "-pipeline.yaml");
    }
}
