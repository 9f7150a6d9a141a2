package io.bronzecdc.bench.report;

import io.bronzecdc.bench.report.BenchReport.Measurement;
import io.bronzecdc.bench.report.ReportTable.Column;
import io.bronzecdc.bench.report.ReportTable.Row;
import io.bronzecdc.bench.report.ReportTable.Side;
import io.bronzecdc.model.config.DurationSyntax;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Throughput measured two ways, per pipeline, placement and setting, each beside its ceiling: the backlog drain
 * (changes committed first, then drained), and the highest live rate the pipeline sustained with its lag bounded
 * (every offered change visible, p99 of commit-to-visible latency at most {@value #LAG_BOUND_MILLIS} ms, or three
 * schedule intervals for a micro-batch engine: its latency starts at one interval by design).
 */
final class SustainedRates {
    /** The lag bound of a sustained live rate: p99 of commit-to-visible latency, in ms. */
    static final double LAG_BOUND_MILLIS = 2_000;
    /** How the harness names a micro-batch schedule: {@code every 5s}. */
    private static final String SCHEDULE = "every ";
    static final String TEXT = "Throughput two ways, each beside the drain ceiling of the same run: the backlog drain"
            + " (changes committed while the pipeline was paused, then drained), and the highest live rate sustained"
            + " with the lag bounded: every offered change in bronze and p99 commit-to-visible latency at most 2 s"
            + " (for a micro-batch schedule \"every X\": at most 3 X, as its latency starts at one interval)."
            + " A live rate is what the driver committed per second until the last change was visible; when the"
            + " driver itself could not reach the offered rate, the sustained figure is the driver's.";

    private SustainedRates() {
    }

    static ReportTable table(BenchReport report) {
        Map<String, List<Measurement>> groups = new LinkedHashMap<>();
        report.measurements().stream().sorted(ReportTables.MEASUREMENT_ORDER)
                .filter(m -> "backlog".equals(m.scenario()) || "live".equals(m.scenario()))
                .forEach(m -> groups.computeIfAbsent(m.pipeline() + "\u0000" + m.placement() + "\u0000"
                        + m.setting(), k -> new ArrayList<>()).add(m));
        List<Row> rows = new ArrayList<>();
        for (List<Measurement> group : groups.values()) {
            Measurement first = group.get(0);
            Optional<Measurement> backlog = group.stream().filter(m -> "backlog".equals(m.scenario()))
                    .filter(ReportTables::ok).findFirst();
            Optional<Measurement> sustained = group.stream().filter(m -> "live".equals(m.scenario()))
                    .filter(ReportTables::ok)
                    .filter(m -> m.latency() != null && m.latency().p99Millis() <= lagBoundMillis(m.setting()))
                    .max(Comparator.comparingDouble(Measurement::rowsPerSecond));
            rows.add(Row.of(Side.of(first.pipeline()), first.pipeline(), Side.of(first.pipeline()).label(),
                    first.placement(), first.setting(),
                    backlog.map(m -> ReportFormat.rate(m.rowsPerSecond())).orElse(null),
                    backlog.map(m -> ReportFormat.percent(m.ratioToCeiling())).orElse(null),
                    sustained.map(m -> ReportFormat.rate(m.rowsPerSecond())).orElse(null),
                    sustained.map(m -> ReportFormat.count(m.offeredRate())).orElse(null),
                    sustained.map(m -> ReportFormat.millis(m.latency().p99Millis())).orElse(null),
                    sustained.map(m -> ReportFormat.percent(m.ratioToCeiling())).orElse(null)));
        }
        return new ReportTable(List.of(new Column("pipeline", false), new Column("ours/peer", false),
                new Column("placement", false), new Column("setting", false),
                new Column("backlog drain/s", true), new Column("of ceiling", true),
                new Column("sustained live/s", true), new Column("at offered/s", true), new Column("p99 ms", true),
                new Column("of ceiling", true)), rows);
    }

    /** The lag bound of a setting: {@value #LAG_BOUND_MILLIS} ms, or three intervals of an {@code every X} schedule. */
    static double lagBoundMillis(String setting) {
        if (setting != null && setting.startsWith(SCHEDULE)) {
            try {
                return Math.max(LAG_BOUND_MILLIS, 3 * DurationSyntax.parse(setting.substring(SCHEDULE.length()))
                        .toMillis());
            } catch (RuntimeException notADuration) {
                return LAG_BOUND_MILLIS;
            }
        }
        return LAG_BOUND_MILLIS;
    }
}
