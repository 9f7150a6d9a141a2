package io.bronzecdc.flink.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bronzecdc.flink.BronzeCdcJob;
import io.bronzecdc.flink.source.CapturedChange;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.Secret;
import io.bronzecdc.model.config.SslMode;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.testkit.pagila.PagilaTable;
import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import io.bronzecdc.testkit.workload.AppliedChange;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The streaming job running in a local MiniCluster against one test database, with the waits and reads the
 * pipeline ITs share. Waits are bounded and on conditions (Awaitility); counts are compared exactly.
 */
public final class PipelineUnderTest implements AutoCloseable {
    /** Every captured table. */
    public static final List<TableId> TABLES = Arrays.stream(PagilaTable.values()).map(PagilaTable::id).toList();
    private static final Duration WAIT = Duration.ofSeconds(120);

    private final EmbeddedPostgresServer server;
    private final PipelineConfig config;
    private final List<TableId> tables;
    private final JobClient job;

    private PipelineUnderTest(EmbeddedPostgresServer server, PipelineConfig config, List<TableId> tables,
            JobClient job) {
        this.tables = tables;
        this.server = server;
        this.config = config;
        this.job = job;
    }

    /** A pipeline config for {@code database} on the test server (trust authentication ignores the password). */
    public static PipelineConfig config(EmbeddedPostgresServer server, String database, String slot, String schema,
            Duration checkpointInterval) {
        return config(server, database, slot, schema, checkpointInterval, TABLES);
    }

    /** A pipeline config capturing {@code tables} of {@code database} on the test server. */
    public static PipelineConfig config(EmbeddedPostgresServer server, String database, String slot, String schema,
            Duration checkpointInterval, List<TableId> tables) {
        return new PipelineConfig(new PipelineConfig.SourceConfig("127.0.0.1", server.port(), database,
                EmbeddedPostgresServer.SUPERUSER, Secret.of("trust-auth-ignores-it"), SslMode.DISABLE, slot,
                slot + "_pub"), new PipelineConfig.BronzeConfig(schema), tables, Duration.ofMinutes(5),
                Duration.ofMinutes(10), checkpointInterval);
    }

    /** Prepares (preflight with init, migrations) and starts the job with {@code hook} before the sequencer. */
    public static PipelineUnderTest start(EmbeddedPostgresServer server, PipelineConfig config, int parallelism,
            UnaryOperator<DataStream<CapturedChange>> hook, Configuration flink) throws Exception {
        List<TableId> tables = BronzeCdcJob.prepare(config, parallelism, true, BronzeCdcJob.restoresState(flink));
        Configuration conf = new Configuration(flink);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        BronzeCdcJob.build(env, config, tables, hook);
        return new PipelineUnderTest(server, config, tables,
                env.executeAsync("bronze-cdc " + config.source().slotName()));
    }

    /**
     * Starts the job as {@code BronzeCdcJob --switch-source} does: from the savepoint in {@code flink}
     * ({@code execution.savepoint.path}), with the switch's preflight, record and boundary, the previous source's
     * state left behind.
     */
    public static PipelineUnderTest startSwitchingSource(EmbeddedPostgresServer server, PipelineConfig config,
            int parallelism, Configuration flink) throws Exception {
        BronzeCdcJob.Start start = BronzeCdcJob.prepare(config, parallelism, true, BronzeCdcJob.restoresState(flink),
                BronzeCdcJob.restoredPath(flink).orElse(""));
        Configuration conf = new Configuration(flink);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        env.configure(BronzeCdcJob.allowingDroppedSourceState());
        BronzeCdcJob.build(env, config, start.tables(), start.boundary(), UnaryOperator.identity());
        return new PipelineUnderTest(server, config, start.tables(),
                env.executeAsync("bronze-cdc " + config.source().slotName()));
    }

    /** Starts the plain job (no hook) at parallelism 1. */
    public static PipelineUnderTest start(EmbeddedPostgresServer server, PipelineConfig config) throws Exception {
        return start(server, config, 1, UnaryOperator.identity(), new Configuration());
    }

    public PipelineConfig config() {
        return config;
    }

    public JobClient job() {
        return job;
    }

    /** A new connection to the database bronze is written to (the source database without a target). */
    public Connection connect() throws SQLException {
        if (config.hasSeparateTarget()) {
            PipelineConfig.Database target = config.bronzeDatabase();
            return java.sql.DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password().reveal());
        }
        return server.connect(config.source().database());
    }

    /** Waits until bronze holds exactly {@code expected} rows per table (fails at once on more). */
    public void awaitBronzeCounts(Map<TableId, Long> expected) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(job.getJobStatus().get().isGloballyTerminalState()).as("job ended early").isFalse();
            Map<TableId, Long> counts = bronzeCounts();
            expected.forEach((table, rows) -> assertThat(counts.get(table)).as("never more rows than changes in "
                    + table).isLessThanOrEqualTo(rows));
            assertThat(counts).isEqualTo(expected);
        });
    }

    /**
     * After the expected rows, nothing else arrives: the counts stay equal over {@code window} while checkpoints
     * keep completing (so anything pending would have been committed).
     */
    public void assertNothingMoreArrives(Map<TableId, Long> expected, Duration window) throws Exception {
        long checkpointMillis = config.checkpointInterval().toMillis();
        long end = System.currentTimeMillis() + Math.max(window.toMillis(), 5 * checkpointMillis);
        while (System.currentTimeMillis() < end) {
            assertThat(bronzeCounts()).isEqualTo(expected);
            TimeUnit.MILLISECONDS.sleep(checkpointMillis); // sampling a window, not waiting for a result
        }
    }

    /** Rows per bronze table of the captured tables. */
    public Map<TableId, Long> bronzeCounts() throws SQLException {
        Map<TableId, Long> counts = new LinkedHashMap<>();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (TableId table : tables) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + bronzeTable(table))) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        }
        return counts;
    }

    /** Source rows per table: what the snapshot must deliver. */
    public Map<TableId, Long> sourceCounts() throws SQLException {
        Map<TableId, Long> counts = new LinkedHashMap<>();
        try (Connection c = server.connect(config.source().database()); Statement s = c.createStatement()) {
            for (TableId table : tables) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table.quoted())) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        }
        return counts;
    }

    /** {@code expected} plus every change of {@code committed}, per table. */
    public static Map<TableId, Long> plus(Map<TableId, Long> expected, List<CommittedTransaction> committed) {
        Map<TableId, Long> total = new LinkedHashMap<>(expected);
        committed.forEach(tx -> tx.changes().forEach(change -> total.merge(change.table(), 1L, Long::sum)));
        return total;
    }

    /** The streamed rows of a table as {@code op key} lines, in lsn order. */
    public List<String> streamedChanges(TableId table) throws SQLException {
        PagilaTable pagila = PagilaTable.byName(table.name()).orElseThrow();
        String key = "jsonb_build_object(" + String.join(", ", pagila.primaryKey().stream()
                .map(c -> "'" + c + "', full_row->'" + c + "'").toList()) + ")::text";
        List<String> changes = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT op || ' ' || " + key + " FROM " + bronzeTable(table) + " WHERE tx_id IS NOT NULL ORDER BY lsn")) {
            while (rs.next()) {
                changes.add(rs.getString(1));
            }
        }
        return changes;
    }

    /** What the workload committed on a table as {@code op key} lines, in commit order. */
    public static List<String> committedChanges(List<CommittedTransaction> committed, TableId table) {
        return committed.stream().flatMap(tx -> tx.changes().stream()).filter(c -> c.table().equals(table))
                .map(PipelineUnderTest::line).toList();
    }

    private static String line(AppliedChange change) {
        return change.op().code() + " " + change.key();
    }

    public String bronzeTable(TableId table) {
        return new io.bronzecdc.model.bronze.BronzeSchema(config.bronze().schema()).tableOf(table);
    }

    /** Cancels the job and waits until it has stopped. */
    @Override
    public void close() throws Exception {
        try {
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        } catch (IllegalStateException alreadyGone) {
            // the job ended and its local cluster shut down with it
        }
    }
}
