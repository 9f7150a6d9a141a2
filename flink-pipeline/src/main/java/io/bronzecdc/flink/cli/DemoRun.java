package io.bronzecdc.flink.cli;

import io.bronzecdc.flink.BronzeCdcJob;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.DurationSyntax;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.Secret;
import io.bronzecdc.model.config.SslMode;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * One run of the demo on a loaded embedded source: the streaming job in a local MiniCluster, the initial
 * snapshot, a live workload, the drain until bronze holds every committed change, the demo's summary and the
 * validation report. However it ends (done, failed, Ctrl-C), it stops the job first, then the workload; the
 * caller stops the server after that, so the job never sees its source go away.
 */
final class DemoRun {
    static final String SLOT = "bronze_demo";
    static final String PUBLICATION = "bronze_demo_pub";
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(300);
    private static final long DRAIN_TIMEOUT_MILLIS = 120_000;
    private static final long PROGRESS_EVERY_MILLIS = 1_000;
    private static final long CATCH_UP_MILLIS = 3_000;

    private final EmbeddedPostgresServer server;
    private final String database;
    private final BronzeSchema schema;
    private final PrintWriter out;
    private final StopSignal stop;
    private final List<TableId> tables;

    /** A run capturing {@code tables} of {@code database} on {@code server}, loaded and not captured yet. */
    DemoRun(EmbeddedPostgresServer server, String database, List<TableId> tables, BronzeSchema schema,
            PrintWriter out, StopSignal stop) {
        this.server = server;
        this.database = database;
        this.tables = List.copyOf(tables);
        this.schema = schema;
        this.out = out;
        this.stop = stop;
    }

    /**
     * @param summary the snapshot's reference check, the live changes and the workload's rates
     * @param validation the validation report of the bronze schema
     */
    record Result(DemoSummary summary, ValidationReport validation) {
        boolean passed() {
            return summary.passed() && validation.passed();
        }
    }

    /**
     * @param c a connection to the source database
     * @param loaded the rows each table holds
     */
    Result execute(Connection c, Map<TableId, Long> loaded, LiveWorkload.Plan plan) throws Exception {
        PipelineConfig config = pipelineConfig(c);
        List<TableId> captured = BronzeCdcJob.prepare(config, 1, true, false);
        stop.check();
        out.printf("  bronze:  schema %s; slot %s, publication %s, checkpoint every %d ms%n", schema, SLOT,
                PUBLICATION, CHECKPOINT_INTERVAL.toMillis());
        Configuration flink = new Configuration();
        flink.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, flink);
        BronzeCdcJob.build(env, config, captured, UnaryOperator.identity());
        DemoCluster flinkCluster = DemoCluster.submit(env, flink, "bronze-cdc demo");
        JobClient job = flinkCluster.job();
        LiveWorkload workload = null;
        Map<TableId, Long> snapshot = new LinkedHashMap<>(loaded);
        try (Connection progress = server.connect(database)) {
            long started = System.nanoTime();
            waitForBronze(job, progress, snapshot, "snapshot", started);
            out.printf("  snapshot of %,d rows in bronze after %.1f s; live workload for %s at %,d tx/s asked,"
                    + " on %d connection%s...%n", total(snapshot), seconds(started),
                    DurationSyntax.format(plan.duration()), plan.ratePerSecond(), plan.connections(),
                    plan.connections() == 1 ? "" : "s");
            out.flush();
            workload = new LiveWorkload(plan, () -> server.connect(database));
            workload.start();
            followWorkload(progress, workload, snapshot);
            WorkloadRate rate = WorkloadRate.of(workload);
            out.printf("  workload: %s%n", rate.describe());
            out.flush();
            LiveTally tally = workload.tally();
            waitForBronze(job, progress, expected(snapshot, tally), "drain", System.nanoTime());
            flinkCluster.cancelJob();
            DemoSummary summary = DemoSummary.read(c, schema, snapshot, tally, rate);
            ValidationReport report = BronzeValidator.validate(c, schema, tables,
                    ValidationOptions.defaults().withSlot(SLOT));
            return new Result(summary, report);
        } finally {
            stopInOrder(flinkCluster, workload, snapshot);
        }
    }

    /**
     * Stops the workload, then the job; the caller stops the server last, so the job never reads from a stopped
     * source (that was the ERROR a Ctrl-C printed). After Ctrl-C the job first gets a few seconds to catch up with
     * what the workload committed: cancelled while changes still stream in, the Flink CDC source can log an ERROR
     * (its decoder looks up a table's columns on a connection the cancel just closed). It is cancelled either way.
     */
    private void stopInOrder(DemoCluster flinkCluster, LiveWorkload workload, Map<TableId, Long> snapshot)
            throws Exception {
        try {
            if (workload != null) {
                workload.close();
                if (stop.requested()) {
                    catchUp(flinkCluster, expected(snapshot, workload.tally()));
                }
            }
            if (stop.requested()) {
                quietCaptureLibraries();
            }
        } finally {
            flinkCluster.close();
        }
    }

    /**
     * Turns the capture source's logging off before a cancel the user asked for. Cancelled mid-snapshot or
     * mid-stream, Flink CDC and Debezium close their JDBC connections while their own threads still use them, and
     * log that as ERROR with a stack trace ({@code Unexpected error while closing Postgres connection},
     * {@code Producer failure}); HikariCP warns about the same closed connections; and Flink's source coordinator
     * logs an ERROR when the cancel closes the connection its split enumerator was still creating the slot on.
     * None of it is a failure of the stop (the server is still up and stops last), and the demo's data goes with
     * its server, so the user would only see noise after Ctrl-C.
     */
    private static void quietCaptureLibraries() {
        for (String logger : List.of("io.debezium", "org.apache.flink.cdc", "com.zaxxer.hikari",
                "org.apache.flink.runtime.source.coordinator")) {
            Configurator.setLevel(logger, Level.OFF);
        }
    }

    /** Waits up to {@link #CATCH_UP_MILLIS} for bronze to hold {@code expected} rows, or for the job to end. */
    private void catchUp(DemoCluster flinkCluster, Map<TableId, Long> expected) throws SQLException {
        long deadline = System.nanoTime() + CATCH_UP_MILLIS * 1_000_000;
        try (Connection c = server.connect(database)) {
            while (System.nanoTime() < deadline && !flinkCluster.jobEnded()
                    && !counts(c).equals(expected)) {
                LockSupport.parkNanos(100_000_000); // a bounded wait on an observable condition, after Ctrl-C
            }
        }
    }

    private static Map<TableId, Long> expected(Map<TableId, Long> snapshot, LiveTally tally) {
        Map<TableId, Long> expected = new LinkedHashMap<>(snapshot);
        expected.replaceAll((table, rows) -> rows + tally.changes(table));
        return expected;
    }

    /** The demo's pipeline: the embedded server, a generated password for its superuser, the loaded tables. */
    private PipelineConfig pipelineConfig(Connection c) throws SQLException {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        try (Statement s = c.createStatement()) {
            s.execute("ALTER ROLE " + EmbeddedPostgresServer.SUPERUSER + " PASSWORD '" + password + "'");
        }
        return new PipelineConfig(new PipelineConfig.SourceConfig("127.0.0.1", server.port(), database,
                EmbeddedPostgresServer.SUPERUSER, Secret.of(password), SslMode.DISABLE, SLOT, PUBLICATION),
                new PipelineConfig.BronzeConfig(schema.name()), tables, Duration.ofMinutes(5),
                Duration.ofMinutes(10), CHECKPOINT_INTERVAL);
    }

    /** Prints progress every second until the workload ends its schedule. */
    private void followWorkload(Connection progress, LiveWorkload workload, Map<TableId, Long> snapshot)
            throws SQLException {
        long started = System.nanoTime();
        long nextReport = started + PROGRESS_EVERY_MILLIS * 1_000_000;
        while (!workload.finished()) {
            stop.await(Math.min(100, Math.max(0, (nextReport - System.nanoTime()) / 1_000_000)));
            if (System.nanoTime() >= nextReport) {
                report(progress, "live", total(snapshot) + workload.tally().changes(), started,
                        "   " + WorkloadRate.of(workload).brief());
                nextReport += PROGRESS_EVERY_MILLIS * 1_000_000;
            }
        }
    }

    private void waitForBronze(JobClient job, Connection progress, Map<TableId, Long> expected, String phase,
            long started) throws Exception {
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
            report(progress, phase, total(expected), started, "");
            stop.await(PROGRESS_EVERY_MILLIS);
        }
    }

    private void report(Connection progress, String phase, long committed, long started, String rate)
            throws SQLException {
        long captured = total(counts(progress));
        String lag = single(progress, "SELECT round(extract(epoch FROM clock_timestamp() - max(commit_ts))::numeric, 1)"
                + " FROM (" + String.join(" UNION ALL ", tables.stream().map(t -> "SELECT max(commit_ts) commit_ts FROM "
                + schema.tableOf(t)).toList()) + ") m");
        out.printf("  %-8s %5.1f s  bronze %,9d / %,d changes   lag %s s%s%n", phase, seconds(started), captured,
                committed, lag == null ? "-" : lag, rate);
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
