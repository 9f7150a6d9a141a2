package io.bronzecdc.bench.report;

import io.bronzecdc.bench.report.BenchReport.Integrity;
import io.bronzecdc.bench.report.BenchReport.Measurement;
import io.bronzecdc.bench.report.BenchReport.Pipeline;
import io.bronzecdc.bench.report.ReportTable.Cell;
import io.bronzecdc.bench.report.ReportTable.Column;
import io.bronzecdc.bench.report.ReportTable.Row;
import io.bronzecdc.bench.report.ReportTable.Side;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToDoubleBiFunction;
import java.util.stream.Collectors;

/**
 * The peers' figures as ratios to ours: for every measurement of a peer, its throughput and p99 latency divided by
 * those of each of our engines on the same placement, scenario and offered rate. Where one of our engines measured
 * the same setting (a checkpoint interval) that one is compared; otherwise each of its settings is, and named.
 * A ratio is left out where either side did not finish; the note says which.
 */
final class PeerRatios {
    private PeerRatios() {
    }

    static ReportTable table(BenchReport report) {
        List<String> ours = ReportTables.pipelines(report).stream().filter(Pipeline::isOurs).toList();
        List<Column> columns = new ArrayList<>(List.of(new Column("placement", false), new Column("scenario", false),
                new Column("offered/s", true), new Column("peer", false), new Column("peer setting", false),
                new Column("peer rows/s", true), new Column("peer p99 ms", true)));
        for (String engine : ours) {
            columns.add(new Column("rows/s ÷ " + engine, true));
            columns.add(new Column("p99 ÷ " + engine, true));
        }
        columns.add(new Column("peer integrity", false));
        columns.add(new Column("note", false));
        List<String> placements = ReportTables.placements(report);
        List<Row> rows = report.measurements().stream()
                .filter(m -> !Pipeline.isOurs(m.pipeline()))
                .sorted(Comparator.comparing((Measurement m) -> placements.indexOf(m.placement()))
                        .thenComparing(ReportTables.MEASUREMENT_ORDER))
                .map(peer -> row(report, ours, peer))
                .toList();
        return new ReportTable(columns, rows);
    }

    private static Row row(BenchReport report, List<String> ours, Measurement peer) {
        List<Cell> cells = new ArrayList<>(List.of(Cell.of(peer.placement()), Cell.of(peer.scenario()),
                Cell.of(peer.offeredRate() > 0 ? ReportFormat.count(peer.offeredRate()) : null),
                Cell.of(peer.pipeline()), Cell.of(peer.setting()), Cell.of(ReportFormat.rate(peer.rowsPerSecond())),
                Cell.of(peer.latency() == null ? null : ReportFormat.millis(peer.latency().p99Millis()))));
        Set<String> notes = new LinkedHashSet<>();
        if (!ReportTables.ok(peer)) {
            notes.add(peer.pipeline() + ": " + peer.outcome());
        }
        for (String engine : ours) {
            List<Measurement> counterparts = counterparts(report, engine, peer);
            counterparts.stream().filter(m -> !ReportTables.ok(m))
                    .forEach(m -> notes.add(m.pipeline() + " (" + m.setting() + "): " + m.outcome()));
            cells.add(Cell.of(ratios(peer, counterparts, PeerRatios::throughput)));
            cells.add(Cell.of(ratios(peer, counterparts, PeerRatios::p99)));
        }
        Integrity integrity = report.integrity().stream()
                .filter(i -> Objects.equals(i.pipeline(), peer.pipeline())
                        && Objects.equals(i.placement(), peer.placement()))
                .findFirst().orElse(null);
        cells.add(integrity == null ? Cell.of(null) : ReportTables.verdict(integrity));
        cells.add(notes.isEmpty() ? Cell.of(null) : Cell.alert(String.join("; ", notes)));
        return new Row(Side.PEER, cells);
    }

    /** Our engine's measurements to compare a peer's with: same placement, scenario and rate; same setting if any. */
    static List<Measurement> counterparts(BenchReport report, String engine, Measurement peer) {
        List<Measurement> same = report.measurements().stream()
                .filter(m -> Objects.equals(m.pipeline(), engine)
                        && Objects.equals(m.placement(), peer.placement())
                        && Objects.equals(m.scenario(), peer.scenario())
                        && m.offeredRate() == peer.offeredRate())
                .sorted(ReportTables.MEASUREMENT_ORDER)
                .toList();
        List<Measurement> sameSetting = same.stream().filter(m -> Objects.equals(m.setting(), peer.setting())).toList();
        return sameSetting.isEmpty() ? same : sameSetting;
    }

    private static String ratios(Measurement peer, List<Measurement> counterparts,
            ToDoubleBiFunction<Measurement, Measurement> ratio) {
        if (counterparts.isEmpty()) {
            return null;
        }
        if (counterparts.size() == 1) {
            return ReportFormat.times(ratio.applyAsDouble(peer, counterparts.get(0)));
        }
        return counterparts.stream()
                .map(m -> ReportFormat.times(ratio.applyAsDouble(peer, m)) + " (" + m.setting() + ")")
                .collect(Collectors.joining("; "));
    }

    /** Peer rows/s over ours: below 1, the peer is slower. NaN where either did not finish. */
    static double throughput(Measurement peer, Measurement ours) {
        if (!ReportTables.ok(peer) || !ReportTables.ok(ours) || ours.rowsPerSecond() <= 0) {
            return Double.NaN;
        }
        return peer.rowsPerSecond() / ours.rowsPerSecond();
    }

    /** Peer p99 latency over ours: above 1, the peer is slower. NaN without latency on both sides. */
    static double p99(Measurement peer, Measurement ours) {
        if (!ReportTables.ok(peer) || !ReportTables.ok(ours) || peer.latency() == null || ours.latency() == null
                || ours.latency().p99Millis() <= 0) {
            return Double.NaN;
        }
        return peer.latency().p99Millis() / ours.latency().p99Millis();
    }
}
