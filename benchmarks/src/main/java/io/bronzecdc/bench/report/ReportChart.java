package io.bronzecdc.bench.report;

/**
 * One chart of the report, drawn as a PNG image.
 *
 * @param title what it shows
 * @param caption how to read it, under the image
 * @param png the image
 * @param width the image's width in CSS pixels (the PNG has {@link ReportCharts#SCALE} times as many)
 * @param height the image's height in CSS pixels
 */
public record ReportChart(String title, String caption, byte[] png, int width, int height) {
}
