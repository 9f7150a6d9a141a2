package io.bronzecdc.bench.report;

import io.bronzecdc.bench.report.BenchReport.Measurement;
import java.text.DecimalFormat;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * The bar charts: one group of bars per pipeline (and setting, where a pipeline has several), one bar per scenario.
 */
final class BarCharts {
    private BarCharts() {
    }

    static JFreeChart drainTime(String title, List<Measurement> drains) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Measurement m : drains) {
            data.addValue(m.seconds(), m.scenario() + " of " + ReportFormat.count(m.rows()) + ", " + m.placement(),
                    ChartStyle.label(m, drains));
        }
        JFreeChart chart = ChartStyle.apply(ChartFactory.createBarChart(title, null, "seconds", data));
        style(chart.getCategoryPlot(), new DecimalFormat("#,##0"));
        return chart;
    }

    static JFreeChart ratioToCeiling(String title, List<Measurement> finished) {
        DefaultCategoryDataset data = dataset(finished, m -> m.ratioToCeiling() * 100);
        JFreeChart chart = ChartStyle.apply(ChartFactory.createBarChart(title, null, "% of the ceiling", data));
        style(chart.getCategoryPlot(), new DecimalFormat("#,##0'%'"));
        return chart;
    }

    static JFreeChart cost(String title, List<Measurement> costed) {
        CategoryPlot memory = plot(dataset(costed, m -> ReportFormat.toMebibytes(m.cost().peakRssBytes())),
                "peak RSS, MiB");
        CategoryPlot cpu = plot(dataset(costed, m -> m.cost().cpuSeconds()), "CPU, s");
        CombinedDomainCategoryPlot combined = new CombinedDomainCategoryPlot(new CategoryAxis());
        combined.add(memory);
        combined.add(cpu);
        combined.setGap(12);
        JFreeChart chart = ChartStyle.apply(new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, combined, true));
        // The legend of a combined plot repeats each subplot's series: both show the same scenarios.
        cpu.setFixedLegendItems(new org.jfree.chart.LegendItemCollection());
        style(memory, new DecimalFormat("#,##0"));
        style(cpu, new DecimalFormat("#,##0.#"));
        combined.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
        combined.getDomainAxis().setMaximumCategoryLabelLines(3);
        return chart;
    }

    /** Rows: scenarios ("snapshot", "live 5,000/s"); columns: pipelines. */
    private static DefaultCategoryDataset dataset(List<Measurement> measurements, ToDoubleFunction<Measurement> value) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Measurement m : measurements) {
            double v = value.applyAsDouble(m);
            data.addValue(ReportFormat.finite(v) ? v : null, scenario(m), ChartStyle.label(m, measurements));
        }
        return data;
    }

    static String scenario(Measurement m) {
        return "live".equals(m.scenario()) ? "live " + ReportFormat.count(m.offeredRate()) + "/s"
                : ReportFormat.text(m.scenario());
    }

    private static CategoryPlot plot(DefaultCategoryDataset data, String valueLabel) {
        return new CategoryPlot(data, null, new NumberAxis(valueLabel), new BarRenderer());
    }

    private static void style(CategoryPlot plot, DecimalFormat format) {
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setItemMargin(0.04);
        renderer.setDrawBarOutline(false);
        for (int series = 0; series < plot.getDataset().getRowCount(); series++) {
            renderer.setSeriesPaint(series, ChartStyle.SERIES.get(series % ChartStyle.SERIES.size()));
        }
        ((NumberAxis) plot.getRangeAxis()).setNumberFormatOverride(format);
        CategoryAxis pipelines = plot.getDomainAxis();
        if (pipelines != null) {
            pipelines.setMaximumCategoryLabelLines(3);
        }
    }
}
