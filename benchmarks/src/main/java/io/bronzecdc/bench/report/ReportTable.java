package io.bronzecdc.bench.report;

import java.util.Arrays;
import java.util.List;

/**
 * One table of the report as text cells, built once ({@link ReportTables}, {@link RunTables}) and written both as
 * Markdown ({@link ReportMarkdown}) and as HTML ({@link ReportHtml}), so the two always show the same figures.
 *
 * @param columns the header
 * @param rows the body; each row has one cell per column
 */
record ReportTable(List<Column> columns, List<Row> rows) {
    ReportTable {
        columns = List.copyOf(columns);
        rows = List.copyOf(rows);
        for (Row row : rows) {
            if (row.cells().size() != columns.size()) {
                throw new IllegalArgumentException("a report table row has " + row.cells().size()
                        + " cells for " + columns.size() + " columns: " + row);
            }
        }
    }

    /** A key/value table with the given header names. */
    static ReportTable keyValue(String key, String value, List<Row> rows) {
        return new ReportTable(List.of(new Column(key, false), new Column(value, false)), rows);
    }

    /** @param numeric right-aligned */
    record Column(String name, boolean numeric) {
    }

    /** Whose figures a row shows: one of bronze-cdc's engines, a peer, or neither (a ceiling, a setting). */
    enum Side {
        OURS, PEER, NONE;

        static Side of(String pipeline) {
            return BenchReport.Pipeline.isOurs(pipeline) ? OURS : PEER;
        }

        String label() {
            return switch (this) {
                case OURS -> "ours";
                case PEER -> "peer";
                case NONE -> "";
            };
        }
    }

    /** @param alert shown emphasised: a failed check, a measurement that did not finish */
    record Cell(String text, boolean alert) {
        static Cell of(String text) {
            return new Cell(ReportFormat.text(text), false);
        }

        static Cell alert(String text) {
            return new Cell(ReportFormat.text(text), true);
        }
    }

    record Row(Side side, List<Cell> cells) {
        Row {
            cells = List.copyOf(cells);
        }

        static Row of(Side side, String... texts) {
            return new Row(side, Arrays.stream(texts).map(Cell::of).toList());
        }
    }
}
