package io.bronzecdc.bench.report;

import io.bronzecdc.bench.report.BenchReport.Measurement;
import java.awt.Color;
import java.awt.Font;
import java.text.DecimalFormat;
import java.text.NumberFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The line charts: latency CDFs and throughput against offered rate. */
final class XyCharts {
    /** Latencies below this (ms) are drawn at it: a log axis has no zero. */
    private static final double SMALLEST_MILLIS = 0.1;

    private XyCharts() {
    }

    static JFreeChart latencyCdf(String title, List<Measurement> measurements) {
        XYSeriesCollection data = new XYSeriesCollection();
        Map<String, Measurement> bySeries = new LinkedHashMap<>();
        for (Measurement m : measurements) {
            XYSeries series = new XYSeries(unique(ChartStyle.label(m, measurements), bySeries), false, true);
            for (double[] point : m.latency().cdf()) {
                if (point != null && point.length >= 2 && ReportFormat.finite(point[0])
                        && ReportFormat.finite(point[1])) {
                    series.add(Math.max(point[0], SMALLEST_MILLIS), point[1]);
                }
            }
            bySeries.put((String) series.getKey(), m);
            data.addSeries(series);
        }
        JFreeChart chart = ChartStyle.apply(ChartFactory.createXYLineChart(title, null,
                "fraction of changes visible", data));
        XYPlot plot = chart.getXYPlot();
        LogAxis millis = new LogAxis("commit-to-visible latency, ms (log scale)");
        millis.setSmallestValue(SMALLEST_MILLIS);
        millis.setNumberFormatOverride(new DecimalFormat("#,##0.#"));
        millis.setTickUnit(new NumberTickUnit(1.0));
        // Themed like the axis it replaces.
        millis.setLabelFont(plot.getDomainAxis().getLabelFont());
        millis.setLabelPaint(plot.getDomainAxis().getLabelPaint());
        millis.setTickLabelFont(plot.getDomainAxis().getTickLabelFont());
        millis.setTickLabelPaint(plot.getDomainAxis().getTickLabelPaint());
        plot.setDomainAxis(millis);
        NumberAxis fraction = (NumberAxis) plot.getRangeAxis();
        fraction.setRange(0, 1.02);
        fraction.setTickUnit(new NumberTickUnit(0.1));
        plot.addRangeMarker(marker(0.5, "p50"));
        plot.addRangeMarker(marker(0.99, "p99"));
        lines(plot, bySeries, measurements, false);
        return chart;
    }

    static JFreeChart throughput(String title, List<Measurement> live) {
        XYSeriesCollection data = new XYSeriesCollection();
        Map<String, Measurement> bySeries = new LinkedHashMap<>();
        double highest = 0;
        for (Measurement m : live) {
            String key = ChartStyle.label(m, live);
            XYSeries series = data.getSeriesIndex(key) >= 0 ? data.getSeries(key) : null;
            if (series == null) {
                series = new XYSeries(key, true, true);
                data.addSeries(series);
                bySeries.put(key, m);
            }
            series.add(m.offeredRate(), m.rowsPerSecond());
            highest = Math.max(highest, Math.max(m.offeredRate(), m.rowsPerSecond()));
        }
        JFreeChart chart = ChartStyle.apply(ChartFactory.createXYLineChart(title, "offered, changes/s",
                "reached bronze, changes/s", data));
        XYPlot plot = chart.getXYPlot();
        lines(plot, bySeries, live, true);
        XYSeries diagonal = new XYSeries("offered = reached");
        diagonal.add(0, 0);
        diagonal.add(highest * 1.05, highest * 1.05);
        XYSeriesCollection reference = new XYSeriesCollection(diagonal);
        XYLineAndShapeRenderer dashed = new XYLineAndShapeRenderer(true, false);
        dashed.setSeriesPaint(0, ChartStyle.REFERENCE);
        dashed.setSeriesStroke(0, ChartStyle.dotted());
        plot.setDataset(1, reference);
        plot.setRenderer(1, dashed);
        NumberFormat thousands = NumberFormat.getIntegerInstance(Locale.ROOT);
        ((NumberAxis) plot.getDomainAxis()).setNumberFormatOverride(thousands);
        ((NumberAxis) plot.getRangeAxis()).setNumberFormatOverride(thousands);
        ((NumberAxis) plot.getDomainAxis()).setLowerBound(0);
        ((NumberAxis) plot.getRangeAxis()).setLowerBound(0);
        return chart;
    }

    private static void lines(XYPlot plot, Map<String, Measurement> bySeries, List<Measurement> inChart,
            boolean shapes) {
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, shapes);
        int index = 0;
        for (Measurement m : bySeries.values()) {
            int variant = ChartStyle.variant(m, inChart);
            renderer.setSeriesPaint(index, ChartStyle.color(m.pipeline(), variant));
            renderer.setSeriesStroke(index, ChartStyle.stroke(m.pipeline(), variant));
            index++;
        }
        plot.setRenderer(0, renderer);
        // Ours first, the peers (dashed) drawn over them: where the figures coincide, both stay visible.
        plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
    }

    private static ValueMarker marker(double value, String label) {
        ValueMarker marker = new ValueMarker(value, ChartStyle.REFERENCE, ChartStyle.dotted());
        marker.setLabel(label);
        marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        marker.setLabelPaint(ChartStyle.REFERENCE);
        marker.setLabelBackgroundColor(new Color(255, 255, 255, 0));
        // Under the line, at the left: the p99 line runs close to the top of the plot.
        marker.setLabelAnchor(RectangleAnchor.LEFT);
        marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
        return marker;
    }

    /** A series key not yet in use: two measurements with the same pipeline and setting get "#2". */
    private static String unique(String label, Map<String, Measurement> used) {
        String key = label;
        for (int n = 2; used.containsKey(key); n++) {
            key = label + " #" + n;
        }
        return key;
    }
}
