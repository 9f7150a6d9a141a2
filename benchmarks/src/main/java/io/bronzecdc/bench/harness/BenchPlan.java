package io.bronzecdc.bench.harness;

import io.bronzecdc.bench.report.BenchReport.Pipeline;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The sizes of one harness run. {@link #smoke} finishes in a few minutes and runs in {@code mvn verify};
 * {@link #full} is the real measurement, sized to finish within about an hour on the 2-core machine of the README.
 *
 * @param mode {@code smoke} or {@code full}
 * @param seed the workload seed
 * @param pagilaScale the Pagila-shaped tables hold Pagila's row counts times this (1: 599 customers, 16,049
 *     payments, 16,044 rentals)
 * @param wideRows rows of {@code bench_wide} in the database the change scenarios start from
 * @param snapshotRows rows of {@code bench_wide} in the large-snapshot database; 0 to measure the snapshot on the
 *     change scenarios' database instead
 * @param snapshotCap how long a pipeline may take on the large snapshot before the harness records how far it got
 * @param backlogChanges changes committed while the pipeline is paused (backlog scenario)
 * @param backlogSizes rows per transaction in the backlog, and the share of the backlog's changes in that size
 * @param liveRates the offered rates, changes/s
 * @param liveDuration how long each rate is offered
 * @param checkpointIntervals the Flink checkpoint intervals measured (the first for every other scenario)
 * @param sparkSchedule the Spark micro-batch interval while changes are offered (shorter than production's)
 * @param pipelines the pipelines to run, in order
 * @param separateServer whether our engines also run with bronze in a separate server
 * @param catchUp how long a pipeline may take to make every offered change visible after the offer ended
 */
public record BenchPlan(
        String mode,
        long seed,
        int pagilaScale,
        long wideRows,
        long snapshotRows,
        Duration snapshotCap,
        long backlogChanges,
        Map<Integer, Double> backlogSizes,
        List<Integer> liveRates,
        Duration liveDuration,
        List<Duration> checkpointIntervals,
        Duration sparkSchedule,
        List<String> pipelines,
        boolean separateServer,
        Duration catchUp) {
    /** Every pipeline: ours first, then the peers. */
    public static final List<String> ALL_PIPELINES = Pipeline.ALL;
    /** Rows per transaction while a rate is offered, with the share of transactions of each size. */
    public static final Map<Integer, Double> LIVE_SIZES = Map.of(1, 0.6, 10, 0.35, 100, 0.05);
    /** Share of inserts, updates and deletes among transactions. */
    public static final String MIX = "I=0.50 U=0.35 D=0.15";

    public BenchPlan {
        backlogSizes = Map.copyOf(backlogSizes);
        liveRates = List.copyOf(liveRates);
        checkpointIntervals = List.copyOf(checkpointIntervals);
        pipelines = List.copyOf(pipelines);
        for (String pipeline : pipelines) {
            if (!ALL_PIPELINES.contains(pipeline)) {
                throw new IllegalArgumentException("unknown pipeline '" + pipeline + "': choose from "
                        + String.join(", ", ALL_PIPELINES));
            }
        }
        if (pagilaScale < 1 || wideRows < 1 || snapshotRows < 0 || backlogChanges < 1 || liveDuration.isNegative()
                || liveDuration.isZero()) {
            throw new IllegalArgumentException("sizes must be positive (Pagila scale " + pagilaScale + ", wide rows " + wideRows + ", snapshot rows "
                    + snapshotRows + ", backlog " + backlogChanges + ", live " + liveDuration + ")");
        }
        if (liveRates.isEmpty() || liveRates.stream().anyMatch(r -> r < 1)) {
            throw new IllegalArgumentException("offered rates must be at least 1 change/s: " + liveRates);
        }
        if (checkpointIntervals.isEmpty()) {
            throw new IllegalArgumentException("at least one checkpoint interval is required");
        }
    }

    /**
     * About three minutes: every pipeline but {@code flink-cdc-source} once ({@link Pipeline#SMOKE}), one rate, a
     * small backlog with every transaction size.
     */
    public static BenchPlan smoke(long seed) {
        return new BenchPlan("smoke", seed, 1, 20_000, 0, Duration.ofMinutes(2), 62_000,
                Map.of(1, 0.02, 10, 0.04, 1_000, 0.14, 50_000, 0.80), List.of(500), Duration.ofSeconds(8),
                List.of(Duration.ofMillis(300)), Duration.ofSeconds(2), Pipeline.SMOKE, false, Duration.ofMinutes(2));
    }

    /** The real measurement: a 5M-row snapshot, three rates, two checkpoint intervals, a 500k backlog. */
    public static BenchPlan full(long seed) {
        return new BenchPlan("full", seed, 1, 200_000, 5_000_000, Duration.ofMinutes(5), 500_000,
                Map.of(1, 0.05, 10, 0.10, 1_000, 0.35, 50_000, 0.50), List.of(1_000, 5_000, 20_000),
                Duration.ofSeconds(30), List.of(Duration.ofMillis(300), Duration.ofSeconds(1)), Duration.ofSeconds(5),
                ALL_PIPELINES, true, Duration.ofMinutes(6));
    }

    /**
     * This plan with the sizes a user gave; {@code null} keeps the mode's.
     *
     * @param pagilaScaleOrNull Pagila's row counts times this in the Pagila-shaped tables
     * @param wideRowsOrNull rows of {@code bench_wide} the change scenarios start from
     * @param snapshotRowsOrNull rows of the large-snapshot table (0: measure the snapshot on the first database)
     * @param backlogOrNull changes in the backlog
     * @param ratesOrNull offered rates, changes/s
     * @param liveOrNull how long each rate is offered
     */
    public BenchPlan withSizes(Integer pagilaScaleOrNull, Long wideRowsOrNull, Long snapshotRowsOrNull, Long backlogOrNull,
            List<Integer> ratesOrNull, Duration liveOrNull) {
        return new BenchPlan(mode, seed, pagilaScaleOrNull != null ? pagilaScaleOrNull : pagilaScale,
                wideRowsOrNull != null ? wideRowsOrNull : wideRows,
                snapshotRowsOrNull != null ? snapshotRowsOrNull : snapshotRows, snapshotCap,
                backlogOrNull != null ? backlogOrNull : backlogChanges, backlogSizes,
                ratesOrNull != null ? ratesOrNull : liveRates, liveOrNull != null ? liveOrNull : liveDuration,
                checkpointIntervals, sparkSchedule, pipelines, separateServer, catchUp);
    }

    /** This plan with only {@code chosen} pipelines, in the order of {@link #ALL_PIPELINES}. */
    public BenchPlan withPipelines(List<String> chosen) {
        List<String> ordered = ALL_PIPELINES.stream().filter(chosen::contains).toList();
        return new BenchPlan(mode, seed, pagilaScale, wideRows, snapshotRows, snapshotCap, backlogChanges, backlogSizes, liveRates,
                liveDuration, checkpointIntervals, sparkSchedule, ordered, separateServer, catchUp);
    }
}
