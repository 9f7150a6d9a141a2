package io.bronzecdc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.bronzecdc.cli.database.CatalogSnapshot;
import io.bronzecdc.model.ExitCode;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.testkit.postgres.SystemPostgresServer;
import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's "Your own database" walkthrough, run as written against the operating system's PostgreSQL server
 * ({@link SystemPostgresServer}: a fresh cluster with password logins, not the embedded server): the commands are
 * read from the README's code block, {@code pipeline.yaml} is made from {@code pipeline.example.yaml} by setting only
 * the connection keys the README names, and the password travels in {@code BRONZE_CDC_PASSWORD}. {@code stream} is
 * stopped with SIGINT and started again with changes made in between; the Spark pipeline the README describes runs
 * two batches. Every step's exit code and effect are checked: init twice changes nothing the second time and
 * {@code --dry-run} nothing at all, both engines' bronze passes every validator, {@code compact} equals the source,
 * and {@code drop} leaves no slot or publication.
 */
class YourOwnDatabaseIT {
    private static final long SEED = Long.getLong("bronze.test.seed", System.nanoTime());
    private static final String PASSWORD = "walk-through-" + Long.toHexString(SEED) + "-pw";
    private static final String DATABASE = "shop";
    private static final Path ROOT = Path.of(System.getProperty("bronze.project.dir")).toAbsolutePath().normalize();
    private static final Path WORK = Path.of("target", YourOwnDatabaseIT.class.getSimpleName()).toAbsolutePath();
    private static final Map<String, String> ENV = Map.of("BRONZE_CDC_PASSWORD", PASSWORD);
    private static final List<TableId> TABLES = ChangeWorkload.tables();
    private static final Duration WAIT = Duration.ofMinutes(3);

    /** One workload for the whole walkthrough: it tracks the rows it may change. */
    private static final ChangeWorkload WORKLOAD = new ChangeWorkload(SEED, 4);

    private static SystemPostgresServer server;
    private static int logs;

    @BeforeAll
    static void startServer() throws Exception {
        System.out.println("YourOwnDatabaseIT seed " + SEED + " (rerun with -Dbronze.test.seed=" + SEED + ")");
        if (Files.exists(WORK)) {
            try (Stream<Path> paths = Files.walk(WORK)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(WORK);
        server = SystemPostgresServer.start(PASSWORD);
        server.createDatabase(DATABASE);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theReadmeWalkthroughRunsAsWritten() throws Exception {
        List<List<String>> steps = readmeSteps();
        assertThat(steps.stream().map(step -> step.get(0)).toList()).as("the README's walkthrough")
                .containsExactly("sample-data", "init", "init", "stream", "status", "validate", "compact", "drop");
        Path config = pipelineYaml("pipeline.yaml", null);
        for (List<String> step : steps) {
            switch (step.get(0)) {
                case "sample-data" -> {
                    assertThat(run(step)).isZero();
                    assertThat(sourceRows()).containsEntry(TableId.of("customer"), 599L)
                            .containsEntry(TableId.of("payment"), 16_049L).containsEntry(TableId.of("rental"), 16_044L);
                }
                case "init" -> {
                    if (step.contains("--dry-run")) {
                        String before = catalog();
                        assertThat(run(step)).isZero();
                        assertThat(catalog()).as("--dry-run changes nothing").isEqualTo(before);
                    } else {
                        assertThat(run(step)).isZero();
                        String after = catalog();
                        assertThat(runOutput(step)).contains("nothing to change");
                        assertThat(catalog()).as("a second init changes nothing").isEqualTo(after);
                    }
                }
                case "stream" -> streamStopAndResume(step, "cdc_bronze");
                case "status" -> assertThat(runOutput(step)).contains("customer", "payment", "rental");
                case "validate" -> assertThat(runOutput(step)).contains("PASSED");
                case "compact" -> {
                    assertThat(run(step)).isZero();
                    assertCompactEqualsSource("cdc_bronze_current");
                    sparkPipelineAsTheReadmeSays(config);
                }
                case "drop" -> {
                    assertThat(run(step)).isZero();
                    assertThat(count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'bronze_pipeline'"))
                            .isZero();
                    assertThat(count("SELECT count(*) FROM pg_publication WHERE pubname = 'bronze_pub'")).isZero();
                }
                default -> throw new AssertionError("a step this test does not know: " + step);
            }
        }
    }

    /** The Spark pipeline of the README's prose: its own slot, publication and schema; init, then two batches. */
    private void sparkPipelineAsTheReadmeSays(Path flinkConfig) throws Exception {
        Path config = pipelineYaml("spark-pipeline.yaml", yaml -> {
            ((ObjectNode) yaml.get("source").get("slot")).put("name", "bronze_spark");
            ((ObjectNode) yaml.get("source").get("publication")).put("name", "bronze_spark_pub");
            ((ObjectNode) yaml.get("bronze")).put("schema", "spark_bronze");
        });
        assertThat(run(List.of("init", "--config", config.toString()))).isZero();
        assertThat(run(List.of("batch", "--config", config.toString()))).isZero();
        applyChanges(120);
        assertThat(run(List.of("batch", "--config", config.toString()))).isZero();
        assertValid("spark_bronze", "bronze_spark");
        assertThat(run(List.of("validate", "--config", config.toString()))).isZero();
        assertThat(run(List.of("compact", "--config", config.toString(), "--into", "spark_current"))).isZero();
        assertCompactEqualsSource("spark_current");
        assertThat(run(List.of("drop", "--config", config.toString(), "--yes"))).isZero();
        assertThat(flinkConfig).exists();
    }

    private void streamStopAndResume(List<String> step, String schema) throws Exception {
        CommandProcess stream = CommandProcess.start(WORK, nextLog(step), ENV, step);
        awaitCaughtUp(schema, stream);
        applyChanges(150);
        awaitCaughtUp(schema, stream);
        stream.interrupt();
        assertThat(stream.awaitExit()).as(stream.output()).isEqualTo(ExitCode.INTERRUPTED.code());

        applyChanges(100);
        CommandProcess again = CommandProcess.start(WORK, nextLog(step), ENV, step);
        awaitCaughtUp(schema, again);
        assertThat(again.output()).contains("resuming from");
        again.interrupt();
        assertThat(again.awaitExit()).as(again.output()).isEqualTo(ExitCode.INTERRUPTED.code());
        assertValid(schema, "bronze_pipeline");
        assertThat(stream.output() + again.output()).as("no secret in the output").doesNotContain(PASSWORD);
    }

    /** Waits until replaying bronze gives the source tables (all validators pass, replay included). */
    private static void awaitCaughtUp(String schema, CommandProcess engine) {
        Awaitility.await(schema + " replays to the source").atMost(WAIT).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> {
                    assertThat(engine.process().isAlive()).as("the command runs; output:%n%s", engine.output())
                            .isTrue();
                    try (Connection c = server.connect(DATABASE)) {
                        return BronzeValidator.validate(c, new BronzeSchema(schema), TABLES, ValidationOptions
                                .defaults()).passed();
                    }
                });
    }

    private static void assertValid(String schema, String slot) throws SQLException {
        try (Connection c = server.connect(DATABASE)) {
            ValidationReport report = BronzeValidator.validate(c, new BronzeSchema(schema), TABLES,
                    ValidationOptions.defaults().withSlot(slot));
            assertThat(report.passed()).as(report.toText()).isTrue();
        }
    }

    private static void applyChanges(int transactions) throws SQLException {
        try (Connection c = server.connect(DATABASE)) {
            List<CommittedTransaction> done = WORKLOAD.run(c, transactions);
            assertThat(done).hasSize(transactions);
        }
    }

    /** Each compacted relation holds exactly its source table's rows (as {@code to_jsonb}, a multiset). */
    private static void assertCompactEqualsSource(String compactSchema) throws SQLException {
        for (TableId table : TABLES) {
            String source = "SELECT to_jsonb(t) FROM " + table.quoted() + " t";
            String compact = "SELECT to_jsonb(t) FROM \"" + compactSchema + "\".\"" + table.name() + "\" t";
            assertThat(count("SELECT count(*) FROM (" + source + " EXCEPT ALL " + compact + ") d")
                    + count("SELECT count(*) FROM (" + compact + " EXCEPT ALL " + source + ") d"))
                    .as("rows of %s that differ from %s.%s", table, compactSchema, table.name()).isZero();
        }
    }

    /** What init may change in the source database ({@link CatalogSnapshot}), one fact per line. */
    private static String catalog() throws SQLException {
        try (Connection c = server.connect(DATABASE)) {
            return String.join("\n", CatalogSnapshot.of(c));
        }
    }

    private static Map<TableId, Long> sourceRows() throws SQLException {
        Map<TableId, Long> rows = new TreeMap<>();
        for (TableId table : TABLES) {
            rows.put(table, count("SELECT count(*) FROM " + table.quoted()));
        }
        return rows;
    }

    private static long count(String query) throws SQLException {
        try (Connection c = server.connect(DATABASE); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * {@code pipeline.example.yaml} with the connection keys set to this server, as the README says ({@code source.host,
     * port, database, user}); {@code edit} changes more (the Spark pipeline's own names).
     */
    private static Path pipelineYaml(String name, java.util.function.Consumer<ObjectNode> edit) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        ObjectNode root = (ObjectNode) yaml.readTree(ROOT.resolve("pipeline.example.yaml").toFile());
        ObjectNode source = (ObjectNode) root.get("source");
        source.put("host", "127.0.0.1").put("port", server.port()).put("database", DATABASE)
                .put("user", SystemPostgresServer.SUPERUSER);
        if (edit != null) {
            edit.accept(root);
        }
        Path file = WORK.resolve(name);
        yaml.writeValue(file.toFile(), root);
        return file;
    }

    /** The {@code bin/bronze-cdc} lines of the README's walkthrough block, each as its arguments. */
    private static List<List<String>> readmeSteps() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int section = readme.indexOf("## Your own database");
        assertThat(section).as("README section 'Your own database'").isNotNegative();
        Matcher block = Pattern.compile("```bash\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(block.find(section)).as("a bash block in the section").isTrue();
        List<List<String>> steps = new ArrayList<>();
        for (String line : block.group(1).split("\n")) {
            String command = line.replaceFirst("\\s+#.*$", "").strip();
            if (command.startsWith("bin/bronze-cdc ")) {
                steps.add(Arrays.stream(command.substring("bin/bronze-cdc ".length()).split("\\s+"))
                        .map(arg -> arg.equals("pipeline.yaml") ? WORK.resolve("pipeline.yaml").toString() : arg)
                        .toList());
            }
        }
        return steps;
    }

    private static int run(List<String> args) throws Exception {
        return CommandProcess.run(WORK, nextLog(args), ENV, args);
    }

    /** Runs {@code args}, requires exit 0 and no secret in the output, and returns the output. */
    private static String runOutput(List<String> args) throws Exception {
        Path log = nextLog(args);
        assertThat(CommandProcess.run(WORK, log, ENV, args)).as(Files.readString(log)).isZero();
        String output = Files.readString(log);
        assertThat(output).as("no secret in the output").doesNotContain(PASSWORD);
        return output;
    }

    private static Path nextLog(List<String> args) {
        return WORK.resolve(String.format("%02d-%s.out", ++logs, args.get(0)));
    }
}
