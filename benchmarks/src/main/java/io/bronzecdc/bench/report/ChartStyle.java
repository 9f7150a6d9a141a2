package io.bronzecdc.bench.report;

import io.bronzecdc.bench.report.BenchReport.Measurement;
import io.bronzecdc.bench.report.BenchReport.Pipeline;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Stroke;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.StandardChartTheme;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;

/** How the charts look: one colour per pipeline in every chart, dashed lines for peers, a plain light theme. */
final class ChartStyle {
    static final Color GRID = new Color(0xDD, 0xDD, 0xDD);
    static final Color REFERENCE = new Color(0x77, 0x77, 0x77);
    private static final Map<String, Color> PIPELINE_COLORS = Map.of(
            Pipeline.FLINK, new Color(0x1F, 0x77, 0xB4),
            Pipeline.FLINK_CDC_SOURCE, new Color(0x94, 0x67, 0xBD),
            Pipeline.SPARK, new Color(0xFF, 0x7F, 0x0E),
            Pipeline.FLINK_CDC, new Color(0x2C, 0xA0, 0x2C),
            Pipeline.DEBEZIUM, new Color(0xD6, 0x27, 0x28));
    private static final Color OTHER = new Color(0x8C, 0x56, 0x4B);
    /** Colours of the bars' series (scenarios, placements), in order. */
    static final List<Color> SERIES = List.of(new Color(0x4C, 0x72, 0xB0), new Color(0xDD, 0x84, 0x52),
            new Color(0x55, 0xA8, 0x68), new Color(0xC4, 0x4E, 0x52), new Color(0x81, 0x72, 0xB3),
            new Color(0x93, 0x78, 0x60), new Color(0xDA, 0x8B, 0xC3), new Color(0x8C, 0x8C, 0x8C));
    private static final String FONT = Font.SANS_SERIF;

    private ChartStyle() {
    }

    /**
     * Applies the theme: call it on a new chart before setting series colours and strokes, which the theme resets.
     */
    static JFreeChart apply(JFreeChart chart) {
        StandardChartTheme theme = (StandardChartTheme) StandardChartTheme.createJFreeTheme();
        theme.setExtraLargeFont(new Font(FONT, Font.BOLD, 16));
        theme.setLargeFont(new Font(FONT, Font.BOLD, 13));
        theme.setRegularFont(new Font(FONT, Font.PLAIN, 12));
        theme.setSmallFont(new Font(FONT, Font.PLAIN, 11));
        theme.setChartBackgroundPaint(Color.WHITE);
        theme.setPlotBackgroundPaint(Color.WHITE);
        theme.setLegendBackgroundPaint(Color.WHITE);
        theme.setDomainGridlinePaint(GRID);
        theme.setRangeGridlinePaint(GRID);
        theme.setPlotOutlinePaint(GRID);
        theme.setBarPainter(new StandardBarPainter());
        theme.setXYBarPainter(new StandardXYBarPainter());
        theme.setShadowVisible(false);
        theme.apply(chart);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        LegendTitle legend = chart.getLegend();
        if (legend != null) {
            legend.setPosition(RectangleEdge.BOTTOM);
            legend.setFrame(BlockBorder.NONE);
        }
        return chart;
    }

    static Color color(String pipeline, int variant) {
        Color base = PIPELINE_COLORS.getOrDefault(pipeline, OTHER);
        return variant == 0 ? base : base.darker();
    }

    /** Ours solid, peers dashed; a second setting of the same pipeline thinner. */
    static Stroke stroke(String pipeline, int variant) {
        float width = variant == 0 ? 2.2f : 1.6f;
        return Pipeline.isOurs(pipeline) ? new BasicStroke(width)
                : new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {7f, 4f}, 0f);
    }

    static Stroke dotted() {
        return new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {2f, 3f}, 0f);
    }

    /**
     * A legend or axis label for a pipeline: "flink (ours)", "debezium (peer)", with the setting where the chart
     * shows more than one setting of that pipeline.
     */
    static String label(Measurement m, List<Measurement> inChart) {
        boolean severalSettings = inChart.stream().filter(o -> Objects.equals(o.pipeline(), m.pipeline()))
                .map(Measurement::setting).distinct().count() > 1;
        return ReportFormat.text(m.pipeline()) + (severalSettings ? " · " + ReportFormat.text(m.setting()) : "")
                + " (" + ReportTable.Side.of(m.pipeline()).label() + ")";
    }

    /** Which of a pipeline's settings in the chart a measurement is: 0 for the first, 1 for the others. */
    static int variant(Measurement m, List<Measurement> inChart) {
        String first = inChart.stream().filter(o -> Objects.equals(o.pipeline(), m.pipeline()))
                .map(Measurement::setting).findFirst().orElse(null);
        return Objects.equals(first, m.setting()) ? 0 : 1;
    }
}
