package io.bronzecdc.model.event;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * How bronze logs an UPDATE of one source table (DESIGN.md section 2): as one U of the after-image, or, when the
 * update changes the row's primary key or the table has none, as a D of the before-image immediately followed by an
 * I of the after-image (same transaction, adjacent lsn). Folding the log by key, or as a multiset for a keyless
 * table, then reproduces the source: a U never has to say which row it replaced.
 *
 * <p>The key is the table's primary key as the catalog gives it ({@code SourceCatalog.primaryKey}, read when the
 * capture starts), never the replica identity flags of the replication stream: with REPLICA IDENTITY FULL every
 * column is flagged. Both engines decide through this class, so they log the same update the same way.
 *
 * @param primaryKey the primary key columns in key order; empty for a table without one
 */
public record UpdateRule(List<String> primaryKey) {
    public UpdateRule {
        primaryKey = List.copyOf(primaryKey);
    }

    /** The rule of a table without a primary key: every update is logged as D then I. */
    public static UpdateRule keyless() {
        return new UpdateRule(List.of());
    }

    /** Whether the table has no primary key. */
    public boolean isKeyless() {
        return primaryKey.isEmpty();
    }

    /**
     * Whether an update is logged as D(before) then I(after) rather than one U.
     *
     * @param before the old row's value per column name (each engine's own value form; compared with
     *     {@link Objects#deepEquals}), or null when the server sent no old row
     * @param after the new row's value per column name, in the same form
     * @throws IllegalArgumentException for a keyless table without a before-image: its D would have no row. The
     *     engines check this first and say how to fix the table
     */
    public boolean splits(Function<String, ?> before, Function<String, ?> after) {
        Objects.requireNonNull(after, "after");
        if (isKeyless()) {
            if (before == null) {
                throw new IllegalArgumentException("an update of a table without a primary key needs its before-image");
            }
            return true;
        }
        if (before == null) {
            return false; // the server omits the old row only when the replica identity key is unchanged
        }
        for (String column : primaryKey) {
            if (!Objects.deepEquals(before.apply(column), after.apply(column))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The changes that log one update.
     *
     * @param split what {@link #splits} said
     * @param beforeRow canonical JSON of the old row; may be null when {@code split} is false
     * @param afterRow canonical JSON of the new row
     * @param at the position of the update: of its U, or of the D of a split
     * @param insertAt the position of the I of a split: the next position of the same transaction, so nothing sorts
     *     between the D and the I; ignored (may be null) when {@code split} is false
     * @return one U, or D then I
     */
    public static List<ChangeEvent> changes(TableId table, boolean split, String beforeRow, String afterRow,
            SourcePosition at, SourcePosition insertAt) {
        if (!split) {
            return List.of(new ChangeEvent(table, Op.UPDATE, afterRow, at));
        }
        Objects.requireNonNull(insertAt, "insertAt");
        if (!at.isBefore(insertAt) || at.snapshot() || !Objects.equals(at.txId(), insertAt.txId())) {
            throw new IllegalArgumentException(table + ": the I of a split update must follow its D in the same"
                    + " transaction, but D is at " + at + " and I at " + insertAt);
        }
        return List.of(new ChangeEvent(table, Op.DELETE, beforeRow, at),
                new ChangeEvent(table, Op.INSERT, afterRow, insertAt));
    }
}
