package io.bronzecdc.bench.report;

import io.bronzecdc.bench.report.BenchReport.Measurement;
import io.bronzecdc.bench.report.BenchReport.Pipeline;
import io.bronzecdc.bench.report.ReportTable.Cell;
import io.bronzecdc.bench.report.ReportTable.Column;
import io.bronzecdc.bench.report.ReportTable.Row;
import io.bronzecdc.bench.report.ReportTable.Side;
import io.bronzecdc.model.config.DurationSyntax;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Latency against the checkpoint interval, for our Flink job with each of its sources ({@code flink},
 * {@code flink-cdc-source}): one row per pipeline, placement and offered rate, one column per checkpoint interval the
 * run measured, each cell p50 / p99 in ms. A sink that commits at checkpoints shows its latency growing with the
 * interval; one that commits on its own clock should not.
 */
final class CheckpointLatency {
    static final String TEXT = "Our Flink job with each of its sources at each checkpoint interval of the run: p50 / p99"
            + " commit-to-visible latency in ms (live, same measurements as above). flink (the pgoutput source) commits"
            + " each source transaction within milliseconds; flink-cdc-source commits prepared transactions at"
            + " checkpoints. A measurement that did not finish shows its outcome instead.";
    private static final String CHECKPOINT = "checkpoint ";

    private CheckpointLatency() {
    }

    static ReportTable table(BenchReport report) {
        List<Measurement> live = report.measurements().stream()
                .filter(m -> Pipeline.isOurFlinkJob(m.pipeline()) && "live".equals(m.scenario()))
                .sorted(ReportTables.MEASUREMENT_ORDER)
                .toList();
        List<String> settings = live.stream().map(Measurement::setting).filter(Objects::nonNull).distinct()
                .sorted(Comparator.comparing(CheckpointLatency::interval)).toList();
        List<Column> columns = new ArrayList<>(List.of(new Column("pipeline", false), new Column("placement", false),
                new Column("offered/s", true)));
        settings.forEach(s -> columns.add(new Column(s + ": p50 / p99 ms", true)));
        List<String> placements = ReportTables.placements(report);
        Map<String, List<Measurement>> groups = new LinkedHashMap<>();
        live.stream().sorted(Comparator.comparing((Measurement m) -> ReportTables.pipelineRank(m.pipeline()))
                        .thenComparing(m -> placements.indexOf(m.placement()))
                        .thenComparingInt(Measurement::offeredRate))
                .forEach(m -> groups.computeIfAbsent(m.pipeline() + "\u0000" + m.placement() + "\u0000"
                        + m.offeredRate(), k -> new ArrayList<>()).add(m));
        List<Row> rows = new ArrayList<>();
        for (List<Measurement> group : groups.values()) {
            Measurement first = group.get(0);
            List<Cell> cells = new ArrayList<>(List.of(Cell.of(first.pipeline()), Cell.of(first.placement()),
                    Cell.of(ReportFormat.count(first.offeredRate()))));
            for (String setting : settings) {
                cells.add(group.stream().filter(m -> setting.equals(m.setting())).findFirst()
                        .map(CheckpointLatency::cell).orElse(Cell.of(null)));
            }
            rows.add(new Row(Side.of(first.pipeline()), cells));
        }
        return new ReportTable(columns, rows);
    }

    private static Cell cell(Measurement m) {
        if (!ReportTables.ok(m)) {
            return Cell.alert(m.outcome());
        }
        if (m.latency() == null) {
            return Cell.of(null);
        }
        return Cell.of(ReportFormat.millis(m.latency().p50Millis()) + " / " + ReportFormat.millis(
                m.latency().p99Millis()));
    }

    /** The interval of {@code checkpoint 300ms}; settings that name none sort last. */
    private static Duration interval(String setting) {
        if (setting.startsWith(CHECKPOINT)) {
            try {
                return DurationSyntax.parse(setting.substring(CHECKPOINT.length()));
            } catch (RuntimeException notADuration) {
                return Duration.ofDays(365);
            }
        }
        return Duration.ofDays(365);
    }
}
