package io.bronzecdc.bench.report;

import io.bronzecdc.bench.report.BenchReport.Ceiling;
import io.bronzecdc.bench.report.BenchReport.Measurement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;

/**
 * The report's charts, drawn by JFreeChart without a display: latency CDFs per placement and offered rate,
 * throughput against offered rate, snapshot and backlog drain time, ratio to the ceiling, and cost. A chart whose
 * data the run did not produce (no live scenario, say) is left out rather than drawn empty.
 */
public final class ReportCharts {
    static {
        // Before any AWT class is touched: the charts are drawn into images, never onto a screen.
        System.setProperty("java.awt.headless", "true");
    }

    /** Pixels of the PNG per CSS pixel, so the charts stay sharp on high-density screens. */
    static final int SCALE = 2;
    static final int WIDTH = 760;
    static final int HEIGHT = 440;

    private ReportCharts() {
    }

    public static List<ReportChart> draw(BenchReport report) {
        List<ReportChart> charts = new ArrayList<>();
        List<String> placements = ReportTables.placements(report);
        for (String placement : placements) {
            List<Measurement> live = finished(report, placement, "live");
            for (int rate : new TreeSet<>(live.stream().map(Measurement::offeredRate).toList())) {
                List<Measurement> atRate = live.stream().filter(m -> m.offeredRate() == rate
                        && m.latency() != null && !m.latency().cdf().isEmpty()).toList();
                if (!atRate.isEmpty()) {
                    String title = "Latency CDF at " + ReportFormat.count(rate) + " changes/s, bronze on " + placement;
                    charts.add(png(title, "Fraction of changes visible in bronze within x ms of their COMMIT "
                            + "returning. Left and steep is better. Ours solid, peers dashed; the dotted lines mark "
                            + "p50 and p99.",
                            XyCharts.latencyCdf(title, atRate)));
                }
            }
            if (!live.isEmpty()) {
                Ceiling ceiling = ReportTables.ceiling(report, placement);
                String title = "Throughput against offered rate, bronze on " + placement;
                charts.add(png(title, "Changes/s that reached bronze against changes/s offered (live). On the "
                        + "dotted diagonal a pipeline keeps up; below it, it falls behind. Ours solid, peers dashed."
                        + (ceiling == null ? "" : " The drain ceiling here was "
                                + ReportFormat.rate(ceiling.drainChangesPerSecond()) + " changes/s."),
                        XyCharts.throughput(title, live)));
            }
        }
        List<Measurement> drains = report.measurements().stream().filter(ReportTables::ok)
                .filter(m -> "snapshot".equals(m.scenario()) || "backlog".equals(m.scenario())).toList();
        if (!drains.isEmpty()) {
            String title = "Snapshot and backlog drain time";
            charts.add(png(title, "Seconds from the pipeline's start until the last snapshot row or backlog change "
                    + "was in bronze. Lower is better.", BarCharts.drainTime(title, drains)));
        }
        for (String placement : placements) {
            List<Measurement> finished = finished(report, placement, null).stream()
                    .filter(m -> m.ceilingPerSecond() > 0).toList();
            if (!finished.isEmpty()) {
                String title = "Share of the ceiling, bronze on " + placement;
                charts.add(png(title, "Rows/s as a percentage of the ceiling of the same run: COPY for the "
                        + "snapshot, the bare pgoutput drain otherwise. A live scenario cannot exceed its offered "
                        + "rate.",
                        BarCharts.ratioToCeiling(title, finished)));
            }
        }
        for (String placement : placements) {
            List<Measurement> costed = ReportTables.measurements(report, placement).stream()
                    .filter(m -> m.cost() != null).toList();
            if (!costed.isEmpty()) {
                String title = "Cost: peak RSS and CPU time, bronze on " + placement;
                charts.add(png(title, "Peak resident memory and CPU seconds of each pipeline's JVM(s) per scenario, "
                        + "unfinished scenarios included (their resources were used). Lower is better.",
                        BarCharts.cost(title, costed)));
            }
        }
        return charts;
    }

    /** Finished measurements of one placement (and scenario, unless null) in report order. */
    private static List<Measurement> finished(BenchReport report, String placement, String scenario) {
        return ReportTables.measurements(report, placement).stream()
                .filter(ReportTables::ok)
                .filter(m -> scenario == null || Objects.equals(scenario, m.scenario()))
                .toList();
    }

    private static ReportChart png(String title, String caption, JFreeChart chart) {
        try {
            byte[] png = ChartUtils.encodeAsPNG(chart.createBufferedImage(WIDTH * SCALE, HEIGHT * SCALE, WIDTH, HEIGHT,
                    null));
            return new ReportChart(title, caption, png, WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not encode the chart '" + title + "' as PNG: " + e.getMessage(), e);
        }
    }
}
