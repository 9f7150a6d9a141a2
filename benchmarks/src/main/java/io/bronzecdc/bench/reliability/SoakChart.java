package io.bronzecdc.bench.reliability;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.ToLongFunction;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The soak chart: four panels over the same minutes, so that a trend in any of them shows. */
final class SoakChart {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 760;

    private SoakChart() {
    }

    static byte[] png(List<SoakSampler.Sample> samples) {
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("minutes"));
        plot.setGap(12);
        plot.add(panel(samples, "heap used, MB", SoakSampler.Sample::heapUsedMb, new Color(0x4C, 0x72, 0xB0)));
        plot.add(panel(samples, "RSS, MB", SoakSampler.Sample::rssMb, new Color(0x55, 0xA8, 0x68)));
        plot.add(panel(samples, "retained WAL, MB", SoakSampler.Sample::retainedWalMb, new Color(0xDD, 0x84, 0x52)));
        plot.add(panel(samples, "not yet in bronze", SoakSampler.Sample::behindChanges, new Color(0xC4, 0x4E, 0x52)));
        JFreeChart chart = new JFreeChart("Soak: the Flink job at a steady rate", new Font("SansSerif", Font.BOLD, 14),
                plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        try {
            return ChartUtils.encodeAsPNG(chart.createBufferedImage(WIDTH, HEIGHT));
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode the soak chart", e);
        }
    }

    private static XYPlot panel(List<SoakSampler.Sample> samples, String label,
            ToLongFunction<SoakSampler.Sample> value, Color color) {
        XYSeries series = new XYSeries(label);
        for (SoakSampler.Sample sample : samples) {
            long y = value.applyAsLong(sample);
            if (y >= 0) {
                series.add(sample.seconds() / 60, y);
            }
        }
        NumberAxis axis = new NumberAxis(label);
        axis.setAutoRangeIncludesZero(true);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, color);
        XYPlot panel = new XYPlot(new XYSeriesCollection(series), null, axis, renderer);
        panel.setBackgroundPaint(Color.WHITE);
        panel.setRangeGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        panel.setDomainGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        return panel;
    }
}
