package io.bronzecdc.model.source;

import io.bronzecdc.model.event.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Splits the tables of a snapshot into {@link SnapshotChunk}s. A plain heap table larger than one chunk is split into
 * page ranges on PostgreSQL 14 and later, where {@code ctid} ranges are read by a TID range scan (older servers
 * would scan the whole table for each range, so there every table is one chunk). A partitioned table is read whole
 * through its root, as the stream publishes its changes; so is a table of another access method. The page count
 * is the relation's size when planned: rows of the snapshot sit in pages that existed when it was taken, and the
 * last chunk is open-ended anyway.
 */
public final class SnapshotPlan {
    /** Pages per chunk by default: 32 MiB of 8 KiB pages. */
    public static final long DEFAULT_PAGES_PER_CHUNK = 4_096;
    private static final int TID_RANGE_SCAN_VERSION = 140_000;

    private SnapshotPlan() {
    }

    /**
     * The chunks of {@code tables}, largest first, read on {@code connection} (any transaction: sizes and kinds are
     * not snapshot data).
     */
    public static List<SnapshotChunk> chunks(Connection connection, List<TableId> tables, long pagesPerChunk)
            throws SQLException {
        if (pagesPerChunk < 1) {
            throw new IllegalArgumentException("pages per chunk must be at least 1, got " + pagesPerChunk);
        }
        boolean tidRanges = serverVersion(connection) >= TID_RANGE_SCAN_VERSION;
        List<SnapshotChunk> chunks = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT c.relkind::text, coalesce(a.amname, ''),"
                + " pg_relation_size(c.oid) / current_setting('block_size')::bigint"
                + " FROM pg_class c LEFT JOIN pg_am a ON a.oid = c.relam WHERE c.oid = ?::regclass")) {
            for (TableId table : tables) {
                ps.setString(1, table.quoted());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new IllegalStateException(table + " is not in pg_class");
                    }
                    String kind = rs.getString(1);
                    boolean heap = "heap".equals(rs.getString(2));
                    long pages = rs.getLong(3);
                    if (!tidRanges || !"r".equals(kind) || !heap || pages <= pagesPerChunk) {
                        chunks.add(SnapshotChunk.whole(table, pages));
                        continue;
                    }
                    for (long from = 0; from < pages; from += pagesPerChunk) {
                        boolean last = from + pagesPerChunk >= pages;
                        chunks.add(new SnapshotChunk(table, from, last ? SnapshotChunk.OPEN : from + pagesPerChunk,
                                Math.min(pagesPerChunk, pages - from)));
                    }
                }
            }
        }
        chunks.sort(Comparator.comparingLong(SnapshotChunk::estimatedPages).reversed());
        return chunks;
    }

    private static int serverVersion(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT current_setting('server_version_num')::int");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
