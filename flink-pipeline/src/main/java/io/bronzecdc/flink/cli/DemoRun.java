package io.bronzecdc.flink.cli;

import io.bronzecdc.flink.BronzeCdcJob;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.DurationSyntax;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.Secret;
import io.bronzecdc.model.config.SslMode;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.EmbeddedPostgresServer;
import io.bronzecdc.model.source.PagilaTable;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.model.workload.AppliedChange;
import io.bronzecdc.model.workload.ChangeWorkload;
import io.bronzecdc.model.workload.CommittedTransaction;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One run of the demo on a loaded embedded source: the streaming job in a local MiniCluster, the initial
 * snapshot, a live workload, the drain until bronze holds every committed change, and the validation report.
 */
final class DemoRun {
    static final String SLOT = "bronze_demo";
    static final String PUBLICATION = "bronze_demo_pub";
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(300);
    private static final long DRAIN_TIMEOUT_MILLIS = 120_000;

    private final EmbeddedPostgresServer server;
    private final BronzeSchema schema;
    private final PrintWriter out;
    private final List<TableId> tables = Arrays.stream(PagilaTable.values()).map(PagilaTable::id).toList();

    DemoRun(EmbeddedPostgresServer server, BronzeSchema schema, PrintWriter out) {
        this.server = server;
        this.schema = schema;
        this.out = out;
    }

    /**
     * @param seed workload seed
     * @param duration how long the live workload runs
     * @param ratePerSecond transactions per second
     */
    record Workload(long seed, Duration duration, int ratePerSecond) {
    }

    ValidationReport execute(Connection c, Map<PagilaTable, Long> loaded, Workload workload) throws Exception {
        PipelineConfig config = pipelineConfig(c);
        BronzeCdcJob.prepare(config, 1, true, false);
        out.printf("  bronze:  schema %s; slot %s, publication %s, checkpoint every %d ms%n", schema, SLOT,
                PUBLICATION, CHECKPOINT_INTERVAL.toMillis());
        Configuration flink = new Configuration();
        flink.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, flink);
        BronzeCdcJob.build(env, config, UnaryOperator.identity());
        JobClient job = env.executeAsync("bronze-cdc demo");
        Thread cancelOnCtrlC = new Thread(() -> stopQuietly(job), "bronze-cdc-demo-cancel");
        Runtime.getRuntime().addShutdownHook(cancelOnCtrlC);
        boolean stopped = false;
        try (Connection progress = server.connect("pagila")) {
            Map<TableId, Long> expected = new LinkedHashMap<>();
            loaded.forEach((table, rows) -> expected.put(table.id(), rows));
            long started = System.nanoTime();
            waitForBronze(job, progress, expected, "snapshot", started);
            out.printf("  snapshot of %,d rows in bronze after %.1f s; live workload for %s at %d tx/s...%n",
                    total(expected), seconds(started), DurationSyntax.format(workload.duration()), workload.ratePerSecond());
            out.flush();
            runWorkload(c, progress, workload, expected);
            waitForBronze(job, progress, expected, "drain", System.nanoTime());
            job.cancel().get(30, TimeUnit.SECONDS);
            stopped = true;
            return BronzeValidator.validate(c, schema, tables, ValidationOptions.defaults().withSlot(SLOT));
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cancelOnCtrlC);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is cancelling the job
            }
            if (!stopped) {
                stopQuietly(job);
            }
        }
    }

    /** Cancels a job that may already have ended (the local cluster then is gone too). */
    private static void stopQuietly(JobClient job) {
        try {
            job.cancel().get(30, TimeUnit.SECONDS);
        } catch (Exception | Error alreadyGone) {
            // the job failed or finished, and its local cluster shut down with it: nothing left to cancel
        }
    }

    /** The demo's pipeline: the embedded server, a generated password for its superuser, the default tables. */
    private PipelineConfig pipelineConfig(Connection c) throws SQLException {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        try (Statement s = c.createStatement()) {
            s.execute("ALTER ROLE " + EmbeddedPostgresServer.SUPERUSER + " PASSWORD '" + password + "'");
        }
        return new PipelineConfig(new PipelineConfig.SourceConfig("127.0.0.1", server.port(), "pagila",
                EmbeddedPostgresServer.SUPERUSER, Secret.of(password), SslMode.DISABLE, SLOT, PUBLICATION),
                new PipelineConfig.BronzeConfig(schema.name()), tables, Duration.ofMinutes(5),
                Duration.ofMinutes(10), CHECKPOINT_INTERVAL);
    }

    private void runWorkload(Connection c, Connection progress, Workload workload, Map<TableId, Long> expected)
            throws SQLException, InterruptedException {
        ChangeWorkload changes = new ChangeWorkload(workload.seed(), 4);
        long started = System.nanoTime();
        long end = started + workload.duration().toNanos();
        long intervalNanos = 1_000_000_000L / Math.max(1, workload.ratePerSecond());
        long nextReport = started + 1_000_000_000L;
        long committed = 0;
        for (long next = started; System.nanoTime() < end; next += intervalNanos) {
            CommittedTransaction tx = changes.runTransaction(c);
            for (AppliedChange change : tx.changes()) {
                expected.merge(change.table(), 1L, Long::sum);
                committed++;
            }
            if (System.nanoTime() >= nextReport) {
                report(progress, "live", committed, expected, started);
                nextReport += 1_000_000_000L;
            }
            long pause = next + intervalNanos - System.nanoTime();
            if (pause > 0) {
                TimeUnit.NANOSECONDS.sleep(pause); // pacing the offered load, not waiting for a result
            }
        }
    }

    private void waitForBronze(JobClient job, Connection progress, Map<TableId, Long> expected, String phase, long started)
            throws Exception {
        long deadline = System.currentTimeMillis() + DRAIN_TIMEOUT_MILLIS;
        while (!counts(progress).equals(expected)) {
            if (job.getJobStatus().get().isGloballyTerminalState()) {
                throw new IllegalStateException(phase + ": the streaming job stopped ("
                        + job.getJobStatus().get() + ") with bronze at " + counts(progress) + " rows: "
                        + job.getJobExecutionResult().handle((result, failure) -> String.valueOf(failure)).get());
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException(phase + ": bronze holds " + counts(progress) + " rows but the source"
                        + " committed " + expected + " changes; the job stopped making progress (see the log)");
            }
            report(progress, phase, total(expected), expected, started);
            TimeUnit.SECONDS.sleep(1);
        }
    }

    private void report(Connection progress, String phase, long committed, Map<TableId, Long> expected, long started)
            throws SQLException {
        long captured = total(counts(progress));
        String lag = single(progress, "SELECT round(extract(epoch FROM clock_timestamp() - max(commit_ts))::numeric, 1)"
                + " FROM (" + String.join(" UNION ALL ", tables.stream().map(t -> "SELECT max(commit_ts) commit_ts FROM "
                + schema.tableOf(t)).toList()) + ") m");
        out.printf("  %-8s %5.1f s  bronze %,9d / %,d changes   lag %s s%n", phase, seconds(started), captured,
                total(expected), lag == null ? "-" : lag);
        out.flush();
    }

    private Map<TableId, Long> counts(Connection progress) throws SQLException {
        Map<TableId, Long> counts = new LinkedHashMap<>();
        for (TableId table : tables) {
            counts.put(table, Long.parseLong(single(progress, "SELECT count(*) FROM " + schema.tableOf(table))));
        }
        return counts;
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long total(Map<TableId, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
