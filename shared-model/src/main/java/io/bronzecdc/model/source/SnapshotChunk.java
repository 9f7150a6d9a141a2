package io.bronzecdc.model.source;

import io.bronzecdc.model.event.TableId;
import java.io.Serializable;

/**
 * One part of a table's snapshot: a range of its heap pages, read by {@code ctid} (a TID range scan on PostgreSQL 14
 * and later), or the whole table. The chunks of a table cover every page from 0 on, the last one open-ended, so
 * each row of the table (and of its inheritance children, whose {@code ctid}s count their own pages) is in exactly
 * one chunk.
 *
 * @param table the table, read as {@code SELECT * FROM table} (a partitioned table through its root)
 * @param fromPage the first page, inclusive
 * @param toPage the page after the last, or {@link #OPEN} for no upper bound
 * @param estimatedPages the pages it is expected to read, to hand out the largest chunks first
 */
public record SnapshotChunk(TableId table, long fromPage, long toPage, long estimatedPages) implements Serializable {
    private static final long serialVersionUID = 1L;
    /** {@link #toPage} of a chunk that reads to the table's end. */
    public static final long OPEN = -1;

    public SnapshotChunk {
        if (fromPage < 0 || (toPage != OPEN && toPage <= fromPage)) {
            throw new IllegalArgumentException(table + ": empty or negative page range " + fromPage + ".." + toPage);
        }
    }

    /** The whole table, read as one chunk. */
    public static SnapshotChunk whole(TableId table, long estimatedPages) {
        return new SnapshotChunk(table, 0, OPEN, estimatedPages);
    }

    public boolean isWhole() {
        return fromPage == 0 && toPage == OPEN;
    }

    /** The WHERE clause that selects this chunk's rows (with a leading space), or empty for the whole table. */
    String predicate() {
        if (isWhole()) {
            return "";
        }
        String from = fromPage == 0 ? null : "ctid >= '(" + fromPage + ",0)'::tid";
        String to = toPage == OPEN ? null : "ctid < '(" + toPage + ",0)'::tid";
        return " WHERE " + (from == null ? to : to == null ? from : from + " AND " + to);
    }

    @Override
    public String toString() {
        return table + (isWhole() ? "" : " pages " + fromPage + ".." + (toPage == OPEN ? "end" : toPage - 1));
    }
}
