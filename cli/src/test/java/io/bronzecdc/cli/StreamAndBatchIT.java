package io.bronzecdc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.ExitCode;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.MixedDatabase;
import io.bronzecdc.model.testing.MixedWorkload;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.TestPipelineYaml;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code bronze-cdc stream} and {@code bronze-cdc batch} as a user runs them: the command in a JVM of its own, each
 * engine in another, on a database unlike Pagila ({@link MixedDatabase}) with a seeded workload. The stream is stopped
 * with SIGINT (as Ctrl-C does) and started again, with changes made while it was down: nothing lost, nothing doubled.
 * Two batches cover the same changes; both engines' bronze passes every validator and their rows are identical.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StreamAndBatchIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final long SEED = Long.getLong("bronze.test.seed", System.nanoTime());
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String FLINK_SCHEMA = "flink_bronze";
    private static final String SPARK_SCHEMA = "spark_bronze";

    private static final Path WORK = Path.of("target", StreamAndBatchIT.class.getSimpleName()).toAbsolutePath();
    private static MixedDatabase database;
    private static MixedWorkload workload;
    private static Path flinkConfig;
    private static Path sparkConfig;

    @BeforeAll
    static void createDatabase() throws Exception {
        System.out.println("StreamAndBatchIT seed " + SEED + " (rerun with -Dbronze.test.seed=" + SEED + ")");
        Files.createDirectories(WORK);
        try (var paths = Files.walk(WORK)) {
            paths.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(WORK)).forEach(p -> p.toFile()
                    .delete());
        }
        Connection c = POSTGRES.connect();
        database = MixedDatabase.create(c);
        workload = new MixedWorkload(POSTGRES.connect(), database, SEED).populate(40);
        try (Statement s = c.createStatement()) {
            for (String slot : List.of("cli_flink", "cli_spark")) {
                s.execute("CREATE PUBLICATION " + slot + "_pub FOR TABLE " + database.publicationTableList()
                        + " WITH (publish_via_partition_root = true)");
            }
        }
        flinkConfig = writeConfig("cli_flink", FLINK_SCHEMA);
        sparkConfig = writeConfig("cli_spark", SPARK_SCHEMA);
    }

    private static Path writeConfig(String slot, String schema) throws IOException {
        Path password = WORK.resolve("password");
        Files.writeString(password, "trust-auth-ignores-it\n");
        String yaml = TestPipelineYaml.of(POSTGRES.server().port(), POSTGRES.database(), slot, schema,
                "file: " + password).replace("tables: [customer, payment, rental]\n", MixedDatabase.tablesYaml());
        Path file = WORK.resolve(slot + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    @Order(1)
    void streamStopsOnCtrlCAndResumesExactly() throws Exception {
        CommandProcess stream = command("stream-1.out", "stream", "--config", flinkConfig.toString());
        awaitBronze(FLINK_SCHEMA, workload.bronzeRows(), stream.process());
        workload.run(150);
        awaitBronze(FLINK_SCHEMA, workload.bronzeRows(), stream.process());

        stream.interrupt();
        assertThat(stream.awaitExit()).as(stream.output()).isEqualTo(ExitCode.INTERRUPTED.code());
        assertThat(stream.process().descendants().filter(ProcessHandle::isAlive)).as("the engine JVM is gone")
                .isEmpty();
        try (var kept = Files.list(WORK.resolve(".bronze-cdc/cli_flink/flink"))) {
            assertThat(kept).as("checkpoints kept").isNotEmpty();
        }

        workload.run(150);
        CommandProcess again = command("stream-2.out", "stream", "--config", flinkConfig.toString());
        awaitBronze(FLINK_SCHEMA, workload.bronzeRows(), again.process());
        workload.run(60);
        awaitBronze(FLINK_SCHEMA, workload.bronzeRows(), again.process());
        assertThat(again.output()).contains("resuming from");
        again.interrupt();
        assertThat(again.awaitExit()).isEqualTo(ExitCode.INTERRUPTED.code());
        assertValid(FLINK_SCHEMA, "cli_flink");
    }

    @Test
    @Order(2)
    void twoBatchesMatchTheStream() throws Exception {
        assertThat(CommandProcess.run(WORK, WORK.resolve("batch-1.out"), Map.of(), List.of("batch", "--config",
                sparkConfig.toString()))).isZero();
        assertThat(counts(SPARK_SCHEMA)).isEqualTo(snapshotCounts());
        workload.run(100);
        assertThat(CommandProcess.run(WORK, WORK.resolve("batch-2.out"), Map.of(), List.of("batch", "--config",
                sparkConfig.toString()))).isZero();
        assertValid(SPARK_SCHEMA, "cli_spark");
    }

    /**
     * A command killed with SIGKILL passes nothing on to its engine; the engine notices its parent is gone and ends
     * too (ParentWatch), so the next stream is not refused for a slot still in use, and resumes exactly.
     */
    @Test
    @Order(3)
    void streamKilledWithSigkillTakesItsEngineAlong() throws Exception {
        CommandProcess stream = command("stream-3.out", "stream", "--config", flinkConfig.toString());
        workload.run(50);
        awaitBronze(FLINK_SCHEMA, workload.bronzeRows(), stream.process());
        List<ProcessHandle> engines = stream.process().descendants().filter(ProcessHandle::isAlive).toList();
        assertThat(engines).as("the engine JVM runs below the command").isNotEmpty();

        stream.process().destroyForcibly();
        for (ProcessHandle engine : engines) {
            Awaitility.await("engine pid " + engine.pid() + " ends with its command").atMost(Duration.ofMinutes(1))
                    .until(() -> !engine.isAlive());
        }
        workload.run(50);
        CommandProcess again = command("stream-4.out", "stream", "--config", flinkConfig.toString());
        awaitBronze(FLINK_SCHEMA, workload.bronzeRows(), again.process());
        again.interrupt();
        assertThat(again.awaitExit()).as(again.output()).isEqualTo(ExitCode.INTERRUPTED.code());
        assertValid(FLINK_SCHEMA, "cli_flink");
    }

    /** The Spark snapshot holds each table's current rows: one bronze row each. */
    private static Map<TableId, Long> snapshotCounts() throws SQLException {
        Map<TableId, Long> rows = new java.util.TreeMap<>();
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            for (TableId table : database.captured()) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table.quoted())) {
                    rs.next();
                    rows.put(table, rs.getLong(1));
                }
            }
        }
        return rows;
    }

    private static void assertValid(String schema, String slot) throws SQLException {
        try (Connection c = POSTGRES.connect()) {
            ValidationReport report = BronzeValidator.validate(c, new BronzeSchema(schema), database.captured(),
                    ValidationOptions.defaults().withSlot(slot));
            assertThat(report.passed()).as(report.toText()).isTrue();
        }
    }

    private static void awaitBronze(String schema, Map<TableId, Long> expected, Process engine) {
        Awaitility.await(schema + " holds the committed changes").atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    assertThat(engine.isAlive()).as("the command is running").isTrue();
                    Map<TableId, Long> counts = counts(schema);
                    counts.forEach((table, n) -> assertThat(n).as("bronze rows of %s, never more than committed",
                            table).isLessThanOrEqualTo(expected.getOrDefault(table, 0L)));
                    return counts.equals(expected);
                });
    }

    private static Map<TableId, Long> counts(String schema) throws SQLException {
        Map<TableId, Long> rows = new java.util.TreeMap<>();
        BronzeSchema bronze = new BronzeSchema(schema);
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            for (TableId table : database.captured()) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + bronze.tableOf(table))) {
                    rs.next();
                    rows.put(table, rs.getLong(1));
                } catch (SQLException notYet) {
                    return Map.of();
                }
            }
        }
        return rows;
    }

    private static CommandProcess command(String log, String... args) throws IOException {
        return CommandProcess.start(WORK, WORK.resolve(log), Map.of(), List.of(args));
    }
}
