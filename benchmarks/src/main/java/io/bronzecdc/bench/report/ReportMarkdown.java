package io.bronzecdc.bench.report;

import io.bronzecdc.bench.report.BenchReport.Integrity;
import io.bronzecdc.bench.report.ReportTable.Cell;
import io.bronzecdc.bench.report.ReportTable.Column;
import io.bronzecdc.bench.report.ReportTable.Row;
import java.util.List;
import java.util.stream.Collectors;

/** The report as Markdown: the same sections and tables as the HTML page ({@link ReportHtml}), without the charts. */
public final class ReportMarkdown {
    private ReportMarkdown() {
    }

    public static String render(BenchReport report) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(escape(RunTables.title(report))).append("\n\n");
        md.append(escape(RunTables.subtitle(report))).append(" The charts are in `report.html` beside this file.\n\n");
        ReportTables.verdicts(report).forEach(line -> md.append("- ").append(bold(line)).append('\n'));
        md.append('\n');
        if (!report.notes().isEmpty()) {
            md.append("## Read this first\n\n");
            report.notes().forEach(note -> md.append("- ").append(escape(note)).append('\n'));
            md.append('\n');
        }
        for (String placement : ReportTables.placements(report)) {
            md.append("## Results, bronze on ").append(escape(placement)).append("\n\n")
                    .append(escape(ReportText.placement(placement))).append(' ')
                    .append(escape(ReportText.SUMMARY)).append("\n\n");
            table(md, ReportTables.summary(report, placement));
        }
        md.append("## Throughput, two ways\n\n").append(escape(SustainedRates.TEXT)).append("\n\n");
        table(md, SustainedRates.table(report));
        ReportTable checkpoints = CheckpointLatency.table(report);
        if (!checkpoints.rows().isEmpty()) {
            md.append("## Latency against the checkpoint interval\n\n").append(escape(CheckpointLatency.TEXT))
                    .append("\n\n");
            table(md, checkpoints);
        }
        md.append("## The peers as ratios to ours\n\n").append(escape(ReportText.RATIOS)).append("\n\n");
        table(md, PeerRatios.table(report));
        md.append("## Ceilings\n\n").append(escape(ReportText.CEILINGS)).append("\n\n");
        table(md, ReportTables.ceilings(report));
        integrity(md, report);
        md.append("## Environment\n\n");
        table(md, RunTables.machine(report.environment()));
        md.append("### PostgreSQL settings\n\n");
        table(md, RunTables.postgresSettings(report.environment()));
        md.append("### Versions\n\n");
        table(md, RunTables.versions(report.environment()));
        md.append("## Workload\n\n");
        table(md, RunTables.workload(report.workload()));
        md.append("Repeat this run with the same workload:\n\n```\n").append(RunTables.repeatCommand(report))
                .append("\n```\n\nRe-render these files from `report.json` without measuring again:\n\n```\n")
                .append(ReportText.RERENDER).append("\n```\n");
        return md.toString();
    }

    private static void integrity(StringBuilder md, BenchReport report) {
        md.append("## Integrity\n\n").append(escape(ReportText.INTEGRITY)).append("\n\n");
        table(md, ReportTables.integrity(report));
        for (Integrity check : report.integrity()) {
            if (check.passed()) {
                continue;
            }
            md.append("- **FAIL** ").append(escape(ReportTables.pipelineLabel(check.pipeline()))).append(" on ")
                    .append(escape(check.placement())).append(": ").append(check.violations().size())
                    .append(" violation(s), first:\n");
            ReportTables.firstViolations(check).forEach(v -> md.append("  - ").append(escape(v)).append('\n'));
            if (check.text() != null && !check.text().isBlank()) {
                md.append("\n  ```text\n").append(indent(fence(check.text()))).append("\n  ```\n");
            }
        }
        md.append('\n');
    }

    private static void table(StringBuilder md, ReportTable table) {
        if (table.rows().isEmpty()) {
            md.append("(none)\n\n");
            return;
        }
        md.append('|').append(table.columns().stream().map(c -> " " + cell(c.name()) + " ")
                .collect(Collectors.joining("|"))).append("|\n");
        md.append('|').append(table.columns().stream().map(ReportMarkdown::rule).collect(Collectors.joining("|")))
                .append("|\n");
        for (Row row : table.rows()) {
            md.append('|').append(row.cells().stream().map(ReportMarkdown::cell).map(c -> " " + c + " ")
                    .collect(Collectors.joining("|"))).append("|\n");
        }
        md.append('\n');
    }

    private static String rule(Column column) {
        return column.numeric() ? " ---: " : " --- ";
    }

    private static String cell(Cell cell) {
        return cell.alert() ? bold(cell.text()) : cell(cell.text());
    }

    private static String cell(String text) {
        return escape(text).replace("|", "\\|");
    }

    private static String bold(String text) {
        return "**" + cell(text) + "**";
    }

    /** Text from the run made literal: no Markdown markup, no raw HTML, one line. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : ReportFormat.text(text).toCharArray()) {
            switch (c) {
                case '\\', '`', '*', '_', '[', ']', '<', '>', '#', '~' -> out.append('\\').append(c);
                case '\n', '\r', '\t' -> out.append(' ');
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String fence(String text) {
        return text.replace("```", "'''");
    }

    private static String indent(String text) {
        return List.of(text.split("\n", -1)).stream().map(line -> "  " + line).collect(Collectors.joining("\n"));
    }
}
