package io.bronzecdc.bench.report;

import io.bronzecdc.bench.report.BenchReport.Ceiling;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The report's figures as tables: measurements per placement, ratios of the peers to ours, ceilings, integrity. */
final class ReportTables {
    static final String OK = "ok";
    /** How many violations a pipeline's integrity line shows before "and n more". */
    static final int FIRST_VIOLATIONS = 5;
    private static final List<String> PIPELINE_ORDER = Pipeline.ALL;
    private static final List<String> SCENARIO_ORDER = List.of("snapshot", "backlog", "live");
    /** Ours first, then the peers, then scenario, placement, offered rate and setting. */
    static final Comparator<Measurement> MEASUREMENT_ORDER = Comparator
            .comparing((Measurement m) -> pipelineRank(m.pipeline()))
            .thenComparing(Measurement::pipeline, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(m -> rank(SCENARIO_ORDER, m.scenario()))
            .thenComparingInt(Measurement::offeredRate)
            .thenComparing(m -> String.valueOf(m.setting()));

    private ReportTables() {
    }

    static int pipelineRank(String pipeline) {
        int known = PIPELINE_ORDER.indexOf(pipeline);
        return known >= 0 ? known : PIPELINE_ORDER.size() + (Pipeline.isOurs(pipeline) ? 0 : 1);
    }

    private static int rank(List<String> order, String value) {
        int known = order.indexOf(value);
        return known >= 0 ? known : order.size();
    }

    static boolean ok(Measurement m) {
        return OK.equalsIgnoreCase(String.valueOf(m.outcome()).trim());
    }

    /** "flink", and "flink (ours)" or "debezium (peer)" where the reader needs to be told. */
    static String pipelineLabel(String pipeline) {
        return ReportFormat.text(pipeline) + " (" + Side.of(pipeline).label() + ")";
    }

    /** Placements in the order the ceilings list them, then any only the measurements or checks name. */
    static List<String> placements(BenchReport report) {
        Set<String> placements = new LinkedHashSet<>();
        report.ceilings().forEach(c -> placements.add(c.placement()));
        report.measurements().forEach(m -> placements.add(m.placement()));
        report.integrity().forEach(i -> placements.add(i.placement()));
        return new ArrayList<>(placements);
    }

    /** Pipelines in report order: ours first. */
    static List<String> pipelines(BenchReport report) {
        return Stream.concat(report.measurements().stream().map(Measurement::pipeline),
                        report.integrity().stream().map(Integrity::pipeline))
                .distinct()
                .sorted(Comparator.comparing(ReportTables::pipelineRank)
                        .thenComparing(Comparator.nullsFirst(Comparator.<String>naturalOrder())))
                .toList();
    }

    static List<Measurement> measurements(BenchReport report, String placement) {
        return report.measurements().stream()
                .filter(m -> Objects.equals(m.placement(), placement))
                .sorted(MEASUREMENT_ORDER)
                .toList();
    }

    static ReportTable summary(BenchReport report, String placement) {
        List<Column> columns = List.of(new Column("pipeline", false), new Column("ours/peer", false),
                new Column("scenario", false), new Column("setting", false), new Column("offered/s", true),
                new Column("rows", true), new Column("s", true), new Column("rows/s", true),
                new Column("ceiling/s", true), new Column("of ceiling", true), new Column("p50 ms", true),
                new Column("p95 ms", true), new Column("p99 ms", true), new Column("max ms", true),
                new Column("lag p99 ms", true), new Column("peak RSS MiB", true), new Column("CPU s", true),
                new Column("outcome", false));
        List<Row> rows = measurements(report, placement).stream().map(ReportTables::summaryRow).toList();
        return new ReportTable(columns, rows);
    }

    private static Row summaryRow(Measurement m) {
        var latency = m.latency();
        var cost = m.cost();
        List<Cell> cells = new ArrayList<>(Stream.of(ReportFormat.text(m.pipeline()), Side.of(m.pipeline()).label(),
                        m.scenario(), m.setting(),
                        m.offeredRate() > 0 ? ReportFormat.count(m.offeredRate()) : null,
                        ReportFormat.count(m.rows()), ReportFormat.seconds(m.seconds()),
                        ReportFormat.rate(m.rowsPerSecond()), ReportFormat.rate(m.ceilingPerSecond()),
                        ReportFormat.percent(m.ratioToCeiling()),
                        latency == null ? null : ReportFormat.millis(latency.p50Millis()),
                        latency == null ? null : ReportFormat.millis(latency.p95Millis()),
                        latency == null ? null : ReportFormat.millis(latency.p99Millis()),
                        latency == null ? null : ReportFormat.millis(latency.maxMillis()),
                        ReportFormat.millis(m.lagP99Millis()),
                        cost == null ? null : ReportFormat.mebibytes(cost.peakRssBytes()),
                        cost == null ? null : ReportFormat.seconds(cost.cpuSeconds()))
                .map(Cell::of).toList());
        cells.add(ok(m) ? Cell.of(m.outcome()) : Cell.alert(m.outcome()));
        return new Row(Side.of(m.pipeline()), cells);
    }

    static ReportTable ceilings(BenchReport report) {
        List<Column> columns = List.of(new Column("placement", false), new Column("drained changes", true),
                new Column("drain changes/s", true), new Column("COPY rows", true), new Column("COPY rows/s", true));
        List<Row> rows = report.ceilings().stream()
                .map(c -> Row.of(Side.NONE, c.placement(), ReportFormat.count(c.drainChanges()),
                        ReportFormat.rate(c.drainChangesPerSecond()), ReportFormat.count(c.copyRows()),
                        ReportFormat.rate(c.copyRowsPerSecond())))
                .toList();
        return new ReportTable(columns, rows);
    }

    static ReportTable integrity(BenchReport report) {
        List<Column> columns = List.of(new Column("pipeline", false), new Column("ours/peer", false),
                new Column("placement", false), new Column("verdict", false), new Column("bronze rows", true),
                new Column("violations", true), new Column("first violation", false));
        List<Row> rows = report.integrity().stream()
                .sorted(Comparator.comparing((Integrity i) -> pipelineRank(i.pipeline()))
                        .thenComparing(i -> String.valueOf(i.pipeline()))
                        .thenComparing(i -> placements(report).indexOf(i.placement())))
                .map(ReportTables::integrityRow)
                .toList();
        return new ReportTable(columns, rows);
    }

    private static Row integrityRow(Integrity i) {
        return new Row(Side.of(i.pipeline()), List.of(Cell.of(i.pipeline()), Cell.of(Side.of(i.pipeline()).label()),
                Cell.of(i.placement()), verdict(i), Cell.of(ReportFormat.count(i.bronzeRows())),
                Cell.of(ReportFormat.count(i.violations().size())),
                Cell.of(i.violations().isEmpty() ? null : i.violations().get(0))));
    }

    static Cell verdict(Integrity i) {
        return i.passed() ? Cell.of("pass") : Cell.alert("FAIL");
    }

    /** The violations a failed check lists first, with "... and n more" when there are more. */
    static List<String> firstViolations(Integrity i) {
        List<String> first = new ArrayList<>(i.violations().stream().limit(FIRST_VIOLATIONS).toList());
        if (i.violations().size() > FIRST_VIOLATIONS) {
            first.add("... and " + (i.violations().size() - FIRST_VIOLATIONS) + " more");
        }
        return first;
    }

    /** One line each: whether ours passed every check, and which peers failed where. */
    static List<String> verdicts(BenchReport report) {
        List<Integrity> ours = report.integrity().stream().filter(i -> Pipeline.isOurs(i.pipeline())).toList();
        List<String> lines = new ArrayList<>();
        if (ours.isEmpty()) {
            lines.add("Ours: no integrity check was recorded.");
        } else if (report.oursIntact()) {
            lines.add("Ours (" + names(ours) + "): integrity passed on every placement.");
        } else {
            lines.add("Ours: integrity FAILED for " + failures(ours) + ".");
        }
        List<Integrity> peers = report.integrity().stream().filter(i -> !Pipeline.isOurs(i.pipeline())).toList();
        if (!peers.isEmpty()) {
            boolean peersIntact = peers.stream().allMatch(Integrity::passed);
            lines.add(peersIntact ? "Peers (" + names(peers) + "): integrity passed on every placement."
                    : "Peers: integrity FAILED for " + failures(peers) + "; passed for the others.");
        }
        long unfinished = report.measurements().stream().filter(m -> !ok(m)).count();
        if (unfinished > 0) {
            lines.add(unfinished + " measurement(s) did not finish (outcome other than ok): see the tables.");
        }
        return lines;
    }

    private static String names(List<Integrity> checks) {
        return checks.stream().map(Integrity::pipeline).distinct().collect(Collectors.joining(", "));
    }

    private static String failures(List<Integrity> checks) {
        return checks.stream().filter(i -> !i.passed())
                .map(i -> i.pipeline() + " on " + i.placement() + " (" + i.violations().size() + " violations)")
                .collect(Collectors.joining(", "));
    }

    /** The ceiling of a placement, or null. */
    static Ceiling ceiling(BenchReport report, String placement) {
        return report.ceilings().stream().filter(c -> Objects.equals(c.placement(), placement)).findFirst()
                .orElse(null);
    }
}
