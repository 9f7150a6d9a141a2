package io.bronzecdc.model.event;

import java.util.Objects;

/**
 * One captured change of one source row, before it gets its bronze sequence number.
 *
 * @param table the source table
 * @param op I, U or D; initial-snapshot rows are I
 * @param fullRow the complete row in canonical JSON (see {@code io.bronzecdc.model.codec}): the after-image
 *     for I and U, the before-image for D. Kept as a string so engines never serialize a tree.
 * @param position where the change sits in the source's history
 */
public record ChangeEvent(TableId table, Op op, String fullRow, SourcePosition position) {

    public ChangeEvent {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(position, "position");
        if (fullRow == null || fullRow.isEmpty() || fullRow.charAt(0) != '{') {
            throw new IllegalArgumentException(table + ": fullRow must be a canonical JSON object but was "
                    + (fullRow == null ? "null" : "'" + abbreviate(fullRow) + "'"));
        }
        if (position.snapshot() && op != Op.INSERT) {
            throw new IllegalArgumentException(table + ": a snapshot row must be op I but was " + op);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
