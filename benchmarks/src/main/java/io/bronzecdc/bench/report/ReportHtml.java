package io.bronzecdc.bench.report;

import io.bronzecdc.bench.report.BenchReport.Integrity;
import io.bronzecdc.bench.report.ReportTable.Cell;
import io.bronzecdc.bench.report.ReportTable.Column;
import io.bronzecdc.bench.report.ReportTable.Row;
import io.bronzecdc.bench.report.ReportTable.Side;
import java.util.Base64;
import java.util.List;

/**
 * The report as one self-contained HTML page: the tables of {@link ReportMarkdown} and the charts of
 * {@link ReportCharts} as inline PNG images, inline CSS, no script and nothing loaded from elsewhere. The markup is
 * also well-formed XML, so a plain XML parser can check it.
 */
public final class ReportHtml {
    private static final String STYLE = """
            body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: #222;
                   margin: 2em auto; max-width: 1400px; padding: 0 1.5em; line-height: 1.45; }
            h1 { font-size: 1.6em; margin-bottom: 0.2em; }
            h2 { margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
            .scroll { overflow-x: auto; }
            table { border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0 1.2em; }
            th, td { border: 1px solid #ddd; padding: 0.25em 0.5em; vertical-align: top; white-space: nowrap; }
            td:last-child { white-space: normal; min-width: 16em; }
            th { background: #f3f3f3; text-align: left; }
            td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
            tr.ours td:first-child { border-left: 4px solid #1f77b4; font-weight: bold; }
            tr.peer td:first-child { border-left: 4px dashed #999; }
            tr.peer { background: #fafafa; }
            .alert { color: #b00020; font-weight: bold; }
            ul.verdicts li { margin: 0.2em 0; }
            .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 1.5em; }
            figure { margin: 0; }
            figure img { width: 100%; height: auto; border: 1px solid #eee; }
            figcaption { font-size: 0.85em; color: #555; }
            pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; font-size: 0.85em; }
            details { margin: 0.3em 0; }
            """;

    private ReportHtml() {
    }

    public static String render(BenchReport report) {
        return render(report, ReportCharts.draw(report));
    }

    static String render(BenchReport report, List<ReportChart> charts) {
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n");
        html.append("<meta charset=\"utf-8\"/>\n<title>").append(escape(RunTables.title(report))).append("</title>\n");
        html.append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
        html.append("<h1>").append(escape(RunTables.title(report))).append("</h1>\n");
        html.append("<p>").append(escape(RunTables.subtitle(report))).append("</p>\n<ul class=\"verdicts\">\n");
        for (String line : ReportTables.verdicts(report)) {
            html.append(line.contains("FAIL") ? "<li class=\"alert\">" : "<li>").append(escape(line)).append("</li>\n");
        }
        html.append("</ul>\n");
        if (!report.notes().isEmpty()) {
            html.append("<h2>Read this first</h2>\n<ul>\n");
            report.notes().forEach(note -> html.append("<li>").append(escape(note)).append("</li>\n"));
            html.append("</ul>\n");
        }
        for (String placement : ReportTables.placements(report)) {
            html.append("<h2>Results, bronze on ").append(escape(placement)).append("</h2>\n");
            paragraph(html, ReportText.placement(placement) + " " + ReportText.SUMMARY);
            table(html, ReportTables.summary(report, placement));
        }
        html.append("<h2>Throughput, two ways</h2>\n");
        paragraph(html, SustainedRates.TEXT);
        table(html, SustainedRates.table(report));
        ReportTable checkpoints = CheckpointLatency.table(report);
        if (!checkpoints.rows().isEmpty()) {
            html.append("<h2>Latency against the checkpoint interval</h2>\n");
            paragraph(html, CheckpointLatency.TEXT);
            table(html, checkpoints);
        }
        html.append("<h2>The peers as ratios to ours</h2>\n");
        paragraph(html, ReportText.RATIOS);
        table(html, PeerRatios.table(report));
        html.append("<h2>Ceilings</h2>\n");
        paragraph(html, ReportText.CEILINGS);
        table(html, ReportTables.ceilings(report));
        integrity(html, report);
        charts(html, charts);
        html.append("<h2>Environment</h2>\n");
        table(html, RunTables.machine(report.environment()));
        html.append("<h3>PostgreSQL settings</h3>\n");
        table(html, RunTables.postgresSettings(report.environment()));
        html.append("<h3>Versions</h3>\n");
        table(html, RunTables.versions(report.environment()));
        html.append("<h2>Workload</h2>\n");
        table(html, RunTables.workload(report.workload()));
        html.append("<p>Repeat this run with the same workload:</p>\n<pre><code>")
                .append(escape(RunTables.repeatCommand(report))).append("</code></pre>\n")
                .append("<p>Re-render this page from <code>report.json</code> without measuring again:</p>\n")
                .append("<pre><code>").append(escape(ReportText.RERENDER)).append("</code></pre>\n");
        return html.append("</body>\n</html>\n").toString();
    }

    private static void integrity(StringBuilder html, BenchReport report) {
        html.append("<h2>Integrity</h2>\n");
        paragraph(html, ReportText.INTEGRITY);
        table(html, ReportTables.integrity(report));
        for (Integrity check : report.integrity()) {
            String verdict = check.passed() ? "pass" : "FAIL";
            html.append(check.passed() ? "<details>" : "<details open=\"open\">").append("<summary>")
                    .append(check.passed() ? "" : "<span class=\"alert\">").append(verdict)
                    .append(check.passed() ? "" : "</span>").append(' ')
                    .append(escape(ReportTables.pipelineLabel(check.pipeline()))).append(" on ")
                    .append(escape(check.placement())).append(": ").append(check.violations().size())
                    .append(" violation(s)</summary>\n");
            if (!check.violations().isEmpty()) {
                html.append("<ul>\n");
                ReportTables.firstViolations(check)
                        .forEach(v -> html.append("<li>").append(escape(v)).append("</li>\n"));
                html.append("</ul>\n");
            }
            if (check.text() != null && !check.text().isBlank()) {
                html.append("<pre>").append(escape(check.text())).append("</pre>\n");
            }
            html.append("</details>\n");
        }
    }

    private static void charts(StringBuilder html, List<ReportChart> charts) {
        html.append("<h2>Charts</h2>\n");
        if (charts.isEmpty()) {
            paragraph(html, "The run produced no figures to chart.");
            return;
        }
        paragraph(html, ReportText.CHARTS);
        html.append("<div class=\"charts\">\n");
        for (ReportChart chart : charts) {
            html.append("<figure>\n<img alt=\"").append(escape(chart.title())).append("\" width=\"")
                    .append(chart.width()).append("\" height=\"").append(chart.height())
                    .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(chart.png()))
                    .append("\"/>\n<figcaption>").append(escape(chart.caption())).append("</figcaption>\n</figure>\n");
        }
        html.append("</div>\n");
    }

    private static void paragraph(StringBuilder html, String text) {
        html.append("<p>").append(escape(text)).append("</p>\n");
    }

    private static void table(StringBuilder html, ReportTable table) {
        if (table.rows().isEmpty()) {
            paragraph(html, "(none)");
            return;
        }
        html.append("<div class=\"scroll\"><table>\n<thead><tr>");
        for (Column column : table.columns()) {
            html.append(column.numeric() ? "<th class=\"num\">" : "<th>").append(escape(column.name())).append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        for (Row row : table.rows()) {
            html.append(row.side() == Side.NONE ? "<tr>" : "<tr class=\"" + row.side().label() + "\">");
            for (int i = 0; i < row.cells().size(); i++) {
                Cell cell = row.cells().get(i);
                html.append(table.columns().get(i).numeric() ? "<td class=\"num\">" : "<td>")
                        .append(cell.alert() ? "<span class=\"alert\">" + escape(cell.text()) + "</span>"
                                : escape(cell.text()))
                        .append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</tbody>\n</table></div>\n");
    }

    /** Text made literal in HTML (and XML): markup characters and quotes as references. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : ReportFormat.text(text).toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
                        out.append('\uFFFD'); // not allowed in XML, and never meant as text
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
