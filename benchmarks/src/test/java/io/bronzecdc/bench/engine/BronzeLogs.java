package io.bronzecdc.bench.engine;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SqlNames;
import io.bronzecdc.model.source.SourceCatalog;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Read-only queries over bronze logs that the parity test compares between two schemas. */
final class BronzeLogs {
    private BronzeLogs() {
    }

    /**
     * One streamed bronze row (tx_id not null). {@link #parityKey()} is what both engines must agree on.
     *
     * @param key the row's primary key taken from full_row, as jsonb text (the form the workload records)
     * @param fullRow full_row as jsonb text (normalised by PostgreSQL, so equal jsonb gives equal text)
     */
    record StreamedRow(long lsn, String op, long txId, String key, String fullRow, long sourceLsn, String commitTs) {
        /** Every column but load_ts: what the contract fixes for a streamed change, byte for byte. */
        String parityKey() {
            return lsn + " " + op + " " + txId + " " + sourceLsn + " " + commitTs + " " + fullRow;
        }

        /** op, key and tx_id: what the workload recorded for the change. */
        String historyLine() {
            return op + " " + key + " tx " + txId;
        }
    }

    /** Rows per table of {@code tables} in {@code schema}; 0 while the bronze table does not exist yet. */
    static Map<TableId, Long> counts(Connection c, BronzeSchema schema, List<TableId> tables) throws SQLException {
        Map<TableId, Long> counts = new LinkedHashMap<>();
        for (TableId table : tables) {
            String bronze = schema.tableOf(table);
            boolean exists = single(c, "SELECT count(*) FROM (SELECT to_regclass('" + bronze + "') r) t"
                    + " WHERE r IS NOT NULL") == 1;
            counts.put(table, exists ? single(c, "SELECT count(*) FROM " + bronze) : 0L);
        }
        return counts;
    }

    /** Rows per table with tx_id null (the snapshot). */
    static Map<TableId, Long> snapshotCounts(Connection c, BronzeSchema schema, List<TableId> tables)
            throws SQLException {
        Map<TableId, Long> counts = new LinkedHashMap<>();
        for (TableId table : tables) {
            counts.put(table, single(c, "SELECT count(*) FROM " + schema.tableOf(table) + " WHERE tx_id IS NULL"));
        }
        return counts;
    }

    /**
     * The streamed rows of {@code table} in lsn order; the key is the source table's primary key (catalog), or the
     * whole row for a table without one.
     */
    static List<StreamedRow> streamed(Connection c, BronzeSchema schema, TableId table) throws SQLException {
        List<String> primaryKey = SourceCatalog.primaryKey(c, table);
        String key = primaryKey.isEmpty() ? "full_row::text" : "jsonb_build_object(" + String.join(", ",
                primaryKey.stream().map(column -> SqlNames.literal(column) + ", full_row->" + SqlNames.literal(column))
                        .toList()) + ")::text";
        List<StreamedRow> rows = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
            try (ResultSet rs = s.executeQuery("SELECT lsn, op, tx_id, " + key + ", full_row::text, source_lsn,"
                    + " commit_ts::text FROM " + schema.tableOf(table) + " WHERE tx_id IS NOT NULL ORDER BY lsn")) {
                while (rs.next()) {
                    rows.add(new StreamedRow(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                            rs.getString(5), rs.getLong(6), rs.getString(7)));
                }
            }
        }
        return rows;
    }

    /**
     * The snapshot rows (tx_id null) of {@code table} in {@code left} that {@code right} lacks, as a multiset
     * ({@code EXCEPT ALL} over full_row).
     *
     * @return how many, and one of them as jsonb text
     */
    static Difference snapshotExcept(Connection c, BronzeSchema left, BronzeSchema right, TableId table)
            throws SQLException {
        String except = "SELECT full_row FROM " + left.tableOf(table) + " WHERE tx_id IS NULL EXCEPT ALL"
                + " SELECT full_row FROM " + right.tableOf(table) + " WHERE tx_id IS NULL";
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), min(full_row::text) FROM (" + except + ") d")) {
            rs.next();
            return new Difference(rs.getLong(1), Optional.ofNullable(rs.getString(2)));
        }
    }

    record Difference(long rows, Optional<String> example) {
    }

    /**
     * The first position where two streamed logs differ in lsn, op, tx_id or full_row, described with both rows;
     * empty when they are identical (same length included).
     */
    static Optional<String> firstDifference(TableId table, String leftName, List<StreamedRow> left, String rightName,
            List<StreamedRow> right) {
        for (int i = 0; i < Math.max(left.size(), right.size()); i++) {
            StreamedRow l = i < left.size() ? left.get(i) : null;
            StreamedRow r = i < right.size() ? right.get(i) : null;
            if (l == null || r == null || !l.parityKey().equals(r.parityKey())) {
                return Optional.of(String.format("%s: streamed change #%d (of %d in %s, %d in %s) differs:%n"
                        + "  %s: %s%n  %s: %s", table, i + 1, left.size(), leftName, right.size(), rightName,
                        leftName, describe(l), rightName, describe(r)));
            }
        }
        return Optional.empty();
    }

    private static String describe(StreamedRow row) {
        return row == null ? "(no row)" : "lsn " + row.lsn() + " op " + row.op() + " tx_id " + row.txId()
                + " source_lsn " + row.sourceLsn() + " commit_ts " + row.commitTs() + " full_row " + row.fullRow();
    }

    static long single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
