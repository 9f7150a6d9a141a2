package io.bronzecdc.spark.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.PipelineConfigLoader;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.spark.job.MicroBatchJob;
import io.bronzecdc.spark.job.RunHooks;
import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import io.bronzecdc.testkit.workload.AppliedChange;
import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;

/**
 * One batch pipeline under test: its config file on a test database, the job's command line, and exact
 * assertions over its bronze log.
 */
public final class BatchPipeline {
    /** The environment variable the test configs name for the password; trust auth ignores its value. */
    public static final Function<String, String> ENVIRONMENT = name -> "BRONZE_TEST_PASSWORD".equals(name)
            ? "trust-auth-ignores-it" : null;
    public static final List<TableId> TABLES = ChangeWorkload.tables();

    private final Path configFile;
    private final PipelineConfig config;

    private BatchPipeline(Path configFile) {
        this.configFile = configFile;
        this.config = PipelineConfigLoader.load(configFile, ENVIRONMENT);
    }

    /**
     * Writes the config of pipeline {@code slot} (publication {@code <slot>_pub}, bronze schema {@code schema}) and
     * creates its publication.
     */
    public static BatchPipeline create(EmbeddedPostgresServer server, String database, String slot, String schema,
            Path directory) throws IOException, SQLException {
        BatchPipeline pipeline = configure(server, database, slot, schema, directory);
        try (Connection c = server.connect(database); Statement s = c.createStatement()) {
            s.execute("CREATE PUBLICATION " + slot + "_pub FOR TABLE customer, payment, rental"
                    + " WITH (publish_via_partition_root = true)");
        }
        return pipeline;
    }

    /** Writes the config of pipeline {@code slot} without creating anything in the database. */
    public static BatchPipeline configure(EmbeddedPostgresServer server, String database, String slot, String schema,
            Path directory) throws IOException {
        return configure(server, database, slot, schema, directory, TABLES);
    }

    /** Writes the config of pipeline {@code slot} capturing {@code tables}, without creating anything. */
    public static BatchPipeline configure(EmbeddedPostgresServer server, String database, String slot, String schema,
            Path directory, List<TableId> tables) throws IOException {
        Path file = directory.resolve(slot + ".yaml");
        Files.writeString(file, String.join("\n",
                "source:",
                "  host: 127.0.0.1",
                "  port: " + server.port(),
                "  database: " + database,
                "  user: " + EmbeddedPostgresServer.SUPERUSER,
                "  password:",
                "    env: BRONZE_TEST_PASSWORD",
                "  sslmode: disable",
                "  slot:",
                "    name: " + slot,
                "  publication:",
                "    name: " + slot + "_pub",
                "bronze:",
                "  schema: " + schema,
                "tables: [" + String.join(", ", tables.stream().map(t -> t.schema().equals("public") ? t.name()
                        : t.qualifiedName()).toList()) + "]",
                ""));
        return new BatchPipeline(file);
    }

    /**
     * This pipeline with its bronze in database {@code database} of {@code server} (a {@code target:} block added
     * to its config file).
     */
    public BatchPipeline withTarget(EmbeddedPostgresServer server, String database) throws IOException {
        Files.writeString(configFile, String.join("\n",
                "target:",
                "  host: 127.0.0.1",
                "  port: " + server.port(),
                "  database: " + database,
                "  user: " + EmbeddedPostgresServer.SUPERUSER,
                "  password:",
                "    env: BRONZE_TEST_PASSWORD",
                "  sslmode: disable",
                ""), java.nio.file.StandardOpenOption.APPEND);
        return new BatchPipeline(configFile);
    }

    /** A local[2] session for a test class, as spark-submit would give the job; the caller stops it. */
    public static SparkSession localSession(String name) {
        return SparkSession.builder().master("local[2]").appName(name).config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    public PipelineConfig config() {
        return config;
    }

    public BronzeSchema schema() {
        return new BronzeSchema(config.bronze().schema());
    }

    /** Runs {@code MicroBatchJob} with this config (chunks of {@code chunkSize} rows) and returns its exit code. */
    public int run(RunHooks hooks, int chunkSize) {
        return MicroBatchJob.execute(new String[] {"--config", configFile.toString(), "--retries", "0",
                "--chunk-size", Integer.toString(chunkSize)}, ENVIRONMENT, hooks);
    }

    public int run() {
        return run(RunHooks.NONE, 10_000);
    }

    /** Runs {@code MicroBatchJob} with this config and {@code arguments}, its output and errors to {@code out}. */
    public int run(RunHooks hooks, java.io.PrintStream out, String... arguments) {
        List<String> args = new ArrayList<>(List.of("--config", configFile.toString(), "--retries", "0"));
        args.addAll(List.of(arguments));
        return MicroBatchJob.execute(args.toArray(String[]::new), ENVIRONMENT, hooks, out, out);
    }

    /** Rows per source table. */
    public static Map<TableId, Long> sourceCounts(Connection c) throws SQLException {
        Map<TableId, Long> counts = new LinkedHashMap<>();
        for (TableId table : TABLES) {
            counts.put(table, single(c, "SELECT count(*) FROM " + table));
        }
        return counts;
    }

    /**
     * Asserts the whole bronze log: per table exactly {@code snapshot} snapshot rows then the committed changes
     * in commit order (op and key), lsn dense 1..N, and the validator (order, payloads, replay equals source)
     * clean.
     */
    public void assertExactLog(Connection c, Map<TableId, Long> snapshot, List<CommittedTransaction> committed)
            throws SQLException {
        assertExactLog(c, c, snapshot, committed);
    }

    /** {@link #assertExactLog(Connection, Map, List)} with bronze ({@code c}) and the source in two databases. */
    public void assertExactLog(Connection c, Connection source, Map<TableId, Long> snapshot,
            List<CommittedTransaction> committed) throws SQLException {
        for (TableId table : TABLES) {
            List<String> expected = committed.stream().flatMap(tx -> tx.changes().stream())
                    .filter(change -> change.table().equals(table)).map(BatchPipeline::line).toList();
            long rows = snapshot.get(table) + expected.size();
            String bronze = schema().tableOf(table);
            assertThat(single(c, "SELECT count(*) FROM " + bronze)).as("rows of %s", bronze).isEqualTo(rows);
            assertThat(single(c, "SELECT count(DISTINCT lsn) FROM " + bronze)).as("distinct lsn").isEqualTo(rows);
            assertThat(single(c, "SELECT coalesce(min(lsn), 0) FROM " + bronze)).as("min lsn").isEqualTo(rows == 0 ? 0 : 1);
            assertThat(single(c, "SELECT coalesce(max(lsn), 0) FROM " + bronze)).as("max lsn").isEqualTo(rows);
            assertThat(single(c, "SELECT count(*) FROM " + bronze + " WHERE tx_id IS NULL"))
                    .as("snapshot rows of %s", bronze).isEqualTo(snapshot.get(table));
            assertThat(streamedLines(c, table, snapshot.get(table))).as("streamed changes of %s in commit order", table)
                    .isEqualTo(expected);
        }
        ValidationReport report = BronzeValidator.validate(c, source, schema(), TABLES,
                ValidationOptions.defaults().withSlot(config.source().slotName()));
        assertThat(report.violations()).as(report.toText()).isEmpty();
    }

    private List<String> streamedLines(Connection c, TableId table, long after) throws SQLException {
        String key = "jsonb_build_object(" + String.join(", ", io.bronzecdc.testkit.pagila.PagilaTable
                .byName(table.name()).orElseThrow().primaryKey().stream()
                .map(column -> "'" + column + "', full_row->'" + column + "'").toList()) + ")::text";
        List<String> lines = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT op, " + key + " FROM "
                + schema().tableOf(table) + " WHERE lsn > " + after + " ORDER BY lsn")) {
            while (rs.next()) {
                lines.add(rs.getString(1) + " " + rs.getString(2));
            }
        }
        return lines;
    }

    private static String line(AppliedChange change) {
        return change.op().code() + " " + change.key();
    }

    public static long single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
