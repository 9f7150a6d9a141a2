package io.bronzecdc.bench.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * Everything one run of the end-to-end harness measured, in the shape the report files are written from: JSON for
 * machines ({@link ReportJson}), Markdown and one self-contained HTML page with charts for people.
 *
 * <p>Every rate is next to the ceiling measured in the same run on the same machine ({@link Ceiling}), and every
 * pipeline's bronze log went through the shared validators afterwards ({@link Integrity}).
 *
 * @param mode {@code smoke} or {@code full}
 * @param startedAt when the run began, ISO-8601 UTC
 * @param wallSeconds how long the whole run took
 * @param environment versions, hardware and configuration
 * @param workload what was run, with its seed
 * @param ceilings the machine's ceilings, one per placement of bronze (see {@link Ceiling#placement()})
 * @param measurements one per pipeline, scenario and setting
 * @param integrity one per pipeline and placement, after its last scenario
 * @param notes what a reader must know to read the figures (shorter Spark schedule, shared machine, ...)
 */
public record BenchReport(
        String mode,
        String startedAt,
        double wallSeconds,
        Environment environment,
        Workload workload,
        List<Ceiling> ceilings,
        List<Measurement> measurements,
        List<Integrity> integrity,
        List<String> notes) {
    public BenchReport {
        ceilings = List.copyOf(ceilings);
        measurements = List.copyOf(measurements);
        integrity = List.copyOf(integrity);
        notes = List.copyOf(notes);
    }

    /** Whether every pipeline of ours ({@link Pipeline#isOurs}) passed every integrity check. Written to the JSON too. */
    @JsonProperty("oursIntact")
    public boolean oursIntact() {
        return integrity.stream().filter(i -> Pipeline.isOurs(i.pipeline())).allMatch(Integrity::passed);
    }

    /**
     * Versions, hardware and configuration of the run.
     *
     * @param bronzeCdcVersion the project version
     * @param gitCommit the commit the run was built from, or {@code unknown}
     * @param java the JVM's {@code java.vm.name} and {@code java.version}
     * @param os {@code os.name os.version os.arch}
     * @param cpuModel from {@code /proc/cpuinfo}
     * @param cores available processors
     * @param memoryBytes physical memory
     * @param postgresVersion {@code SHOW server_version} of the source server
     * @param postgresSettings the settings that matter for replication and COPY (wal_level, shared_buffers,
     *     synchronous_commit, fsync, ...), name to value
     * @param versions library versions: flink, flink-cdc, spark, debezium (peer), pgjdbc, ...
     * @param server {@code embedded} (the harness started its own server) or the given server's host:port
     */
    public record Environment(
            String bronzeCdcVersion,
            String gitCommit,
            String java,
            String os,
            String cpuModel,
            int cores,
            long memoryBytes,
            String postgresVersion,
            Map<String, String> postgresSettings,
            Map<String, String> versions,
            String server) {
    }

    /**
     * The workload: seeded, so a run can be repeated.
     *
     * @param seed the random seed
     * @param pagilaScale the Pagila-shaped tables held Pagila's row counts times this
     * @param wideRows rows of {@code bench_wide} the change scenarios started from
     * @param largeSnapshotRows rows of {@code bench_wide} in the large-snapshot database, 0 when not measured
     * @param snapshotRows rows in the source tables before any pipeline starts (snapshot scenario)
     * @param backlogChanges changes asked for in the backlog (backlog scenario); every transaction size of
     *     {@code backlogSizes} is there at least once
     * @param backlogSizes rows per transaction in the backlog and the share of its changes in that size
     * @param liveRates offered rates of the live scenario, changes/s
     * @param liveSeconds how long each live rate is offered
     * @param transactionSizes rows per transaction while a rate was offered, and the share of transactions of that
     *     size
     * @param mix share of inserts, updates and deletes, for example {@code I=0.5 U=0.35 D=0.15}
     * @param tables the captured tables and their shapes (Pagila-shaped, wide)
     * @param checkpointIntervals the Flink checkpoint intervals measured, ISO-8601 durations
     * @param sparkSchedule the Spark micro-batch interval used for measuring (shorter than production's 5 min)
     */
    public record Workload(
            long seed,
            int pagilaScale,
            long wideRows,
            long largeSnapshotRows,
            long snapshotRows,
            long backlogChanges,
            Map<Integer, Double> backlogSizes,
            List<Integer> liveRates,
            int liveSeconds,
            Map<Integer, Double> transactionSizes,
            String mix,
            List<String> tables,
            List<String> checkpointIntervals,
            String sparkSchedule) {
        public Workload {
            liveRates = List.copyOf(liveRates);
            tables = List.copyOf(tables);
            checkpointIntervals = List.copyOf(checkpointIntervals);
        }
    }

    /**
     * The ceiling of this machine for one placement of bronze, measured in the same run on the same changes as
     * the pipelines: how fast a bare replication reader drains pgoutput, and how fast COPY loads bronze-shaped rows.
     *
     * @param placement {@code same-server} (bronze in the source cluster: the walsender also reads bronze's own
     *     WAL) or {@code separate-server} (bronze in another server, the {@code target:} connection)
     * @param drainChanges changes the bare reader drained
     * @param drainChangesPerSecond drain rate of a bare pgoutput replication stream
     * @param copyRows rows loaded by COPY
     * @param copyRowsPerSecond COPY rate into a bronze-shaped table
     */
    public record Ceiling(String placement, long drainChanges, double drainChangesPerSecond, long copyRows,
            double copyRowsPerSecond) {
    }

    /**
     * One measured scenario of one pipeline.
     *
     * @param pipeline {@link Pipeline} name: {@code flink}, {@code flink-cdc-source}, {@code spark} (ours),
     *     {@code flink-cdc}, {@code debezium} (peers)
     * @param scenario {@code snapshot} (initial load of {@code rows} rows), {@code backlog} (changes committed
     *     first, then the pipeline started) or {@code live} (changes offered at {@code offeredRate} while it runs)
     * @param placement as in {@link Ceiling#placement()}
     * @param setting the setting measured, for example {@code checkpoint 300ms} or {@code every 5s}
     * @param offeredRate changes/s offered (live), 0 otherwise
     * @param rows rows (snapshot) or changes (backlog, live) that reached bronze
     * @param seconds from the pipeline's start (snapshot, backlog) or the first offered change (live) until the
     *     last of them was visible in bronze
     * @param rowsPerSecond {@code rows / seconds}
     * @param ceilingPerSecond the ceiling this rate is compared with (COPY for snapshot, drain otherwise)
     * @param latency commit-to-visible latency (live only; {@code null} otherwise)
     * @param lagP99Millis p99 of the lag the probe saw while the rate was offered (live only; -1 otherwise)
     * @param cost resources of the pipeline's JVM(s) during the scenario
     * @param outcome {@code ok}, or what went wrong (timed out, exited with code n, ...)
     */
    public record Measurement(
            String pipeline,
            String scenario,
            String placement,
            String setting,
            int offeredRate,
            long rows,
            double seconds,
            double rowsPerSecond,
            double ceilingPerSecond,
            Latency latency,
            double lagP99Millis,
            Cost cost,
            String outcome) {
        /** {@code rowsPerSecond / ceilingPerSecond}, or 0 without a ceiling. Written to the JSON too. */
        @JsonProperty("ratioToCeiling")
        public double ratioToCeiling() {
            return ceilingPerSecond > 0 ? rowsPerSecond / ceilingPerSecond : 0;
        }
    }

    /**
     * Commit-to-visible latency: from the source COMMIT returning to the client until a probe polling bronze
     * from its own connection saw the change.
     *
     * @param samples how many changes were timed
     * @param p50Millis median
     * @param p95Millis 95th percentile
     * @param p99Millis 99th percentile
     * @param maxMillis maximum
     * @param cdf the distribution for charts: pairs {@code [millis, fraction]}, fraction rising from 0 to 1
     *     (at most a few hundred points)
     */
    public record Latency(long samples, double p50Millis, double p95Millis, double p99Millis, double maxMillis,
            List<double[]> cdf) {
        public Latency {
            cdf = List.copyOf(cdf);
        }
    }

    /**
     * Resources of a pipeline's JVM(s) over a scenario.
     *
     * @param peakRssBytes highest resident set size seen (sum over its processes)
     * @param cpuSeconds user + system CPU time the processes used
     */
    public record Cost(long peakRssBytes, double cpuSeconds) {
    }

    /**
     * The shared validators' verdict on one pipeline's bronze after its scenarios: dense lsn, no duplicates, order
     * of the source's commits, replay equals source. A peer that loses, doubles or misorders shows here.
     *
     * @param pipeline as in {@link Measurement#pipeline()}
     * @param placement as in {@link Ceiling#placement()}
     * @param passed no violation
     * @param bronzeRows rows in the pipeline's bronze logs
     * @param violations one line per violation, at most a few dozen
     * @param text the validation report as {@code bronze-cdc validate} prints it
     */
    public record Integrity(String pipeline, String placement, boolean passed, long bronzeRows,
            List<String> violations, String text) {
        public Integrity {
            violations = List.copyOf(violations);
        }
    }

    /**
     * Pipeline names and which are ours. Two are our Flink job: {@link #FLINK} with its default source (our own
     * pgoutput reader) and {@link #FLINK_CDC_SOURCE} with {@code source.connector: flink-cdc}; the peer
     * {@link #FLINK_CDC} is a plain Flink CDC job, not ours.
     */
    public static final class Pipeline {
        /** Our Flink job with its default source, our own pgoutput reader. */
        public static final String FLINK = "flink";
        /** Our Flink job with {@code source.connector: flink-cdc}: Flink CDC's Postgres source, our sink. */
        public static final String FLINK_CDC_SOURCE = "flink-cdc-source";
        public static final String SPARK = "spark";
        /** The peer: a plain Flink CDC job as its documentation shows it. */
        public static final String FLINK_CDC = "flink-cdc";
        public static final String DEBEZIUM = "debezium";
        /** Every pipeline, in report order: ours first, then the peers. */
        public static final List<String> ALL = List.of(FLINK, FLINK_CDC_SOURCE, SPARK, FLINK_CDC, DEBEZIUM);
        /** The pipelines the smoke mode runs: every one but {@link #FLINK_CDC_SOURCE}, to keep it short. */
        public static final List<String> SMOKE = List.of(FLINK, SPARK, FLINK_CDC, DEBEZIUM);

        private Pipeline() {
        }

        /** Whether {@code pipeline} is one of bronze-cdc's engines (not a peer). */
        public static boolean isOurs(String pipeline) {
            return FLINK.equals(pipeline) || FLINK_CDC_SOURCE.equals(pipeline) || SPARK.equals(pipeline);
        }

        /** Whether {@code pipeline} is our Flink job, with either source: its checkpoint interval is varied. */
        public static boolean isOurFlinkJob(String pipeline) {
            return FLINK.equals(pipeline) || FLINK_CDC_SOURCE.equals(pipeline);
        }

        /** The pipelines a mode runs unless {@code --pipelines} chooses: {@link #SMOKE} or {@link #ALL}. */
        public static List<String> ofMode(String mode) {
            return "smoke".equals(mode) ? SMOKE : ALL;
        }
    }
}
