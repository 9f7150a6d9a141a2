package io.bronzecdc.flink.sink;

import io.bronzecdc.model.bronze.BronzeLogs;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SqlNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One row of {@code bronze_log_progress}: how far a change-log table is written, in the transaction that wrote it.
 * The stream position ({@code commitLsn}, {@code changeKey}) is that of the last change written: its source
 * transaction's commit LSN and its key there ({@link io.bronzecdc.flink.source.CapturedChange#orderKey}; -1: the
 * table's snapshot, which precedes every change streamed after it).
 *
 * @param lastLsn the table's last lsn
 * @param commitLsn commit LSN of the last change's source transaction (for the snapshot: where the stream was)
 * @param changeKey the last change's key in its transaction
 * @param snapshotLsn where the table's snapshot was read
 * @param snapshotXids for a table brought in while the job streamed, the transactions its snapshot holds
 *     ({@code xmin:xmax:xip}); null for the initial snapshot
 */
public record LogProgress(long lastLsn, long commitLsn, long changeKey, long snapshotLsn, String snapshotXids) {
    /** The progress table's name in the bronze schema. */
    public static final String TABLE = "bronze_log_progress";

    /** Whether a change at ({@code lsn}, {@code key}) is at or before this position, so bronze holds it. */
    public boolean covers(long lsn, long key) {
        return lsn < commitLsn || (lsn == commitLsn && key <= changeKey);
    }

    /** The progress of every table of {@code schema} that has one, by source table; empty before migration V7. */
    public static Map<TableId, LogProgress> readAll(Connection c, BronzeSchema schema) throws SQLException {
        Map<TableId, LogProgress> all = new LinkedHashMap<>();
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT to_regclass(" + SqlNames.literal(schema.quoted(TABLE))
                    + ") IS NOT NULL")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return all;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT t.source_schema, t.source_table, p.last_lsn, p.commit_lsn,"
                    + " p.change_key, p.snapshot_lsn, p.snapshot_xids FROM " + schema.quoted(TABLE) + " p JOIN "
                    + schema.quoted(BronzeSchema.TABLES_TABLE) + " t USING (bronze_table)")) {
                while (rs.next()) {
                    all.put(new TableId(rs.getString(1), rs.getString(2)), new LogProgress(rs.getLong(3),
                            rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getString(7)));
                }
            }
        }
        return all;
    }

    /** The progress of one change-log table ({@link BronzeSchema#logTableName}), if written. */
    static Optional<LogProgress> read(Connection c, BronzeSchema schema, String bronzeTable) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT last_lsn, commit_lsn, change_key, snapshot_lsn,"
                + " snapshot_xids FROM " + schema.quoted(TABLE) + " WHERE bronze_table = ?")) {
            ps.setString(1, bronzeTable);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new LogProgress(rs.getLong(1), rs.getLong(2), rs.getLong(3),
                        rs.getLong(4), rs.getString(5))) : Optional.empty();
            }
        }
    }

    /**
     * Records, for a pipeline switched to the pgoutput source, that each table's log was written up to its last lsn
     * by the other source's sink, at no stream position of this source: its sink then continues the lsn and accepts
     * every change the new source sends (the switch filter drops what bronze holds). Replaces progress recorded
     * before an earlier switch away from this source.
     */
    public static void recordSwitch(Connection c, BronzeSchema schema, List<TableId> tables) throws SQLException {
        try (PreparedStatement upsert = c.prepareStatement(upsertStatement(schema))) {
            for (TableId table : tables) {
                new LogProgress(BronzeLogs.maxLsn(c, schema, table), 0, io.bronzecdc.flink.source.CapturedChange.SNAPSHOT_KEY, 0, null)
                        .addTo(upsert, BronzeSchema.logTableName(table));
            }
            upsert.executeBatch();
        }
    }

    /** The statement that records progress: bronze table, then the five fields in order. */
    static String upsertStatement(BronzeSchema schema) {
        return "INSERT INTO " + schema.quoted(TABLE) + " (bronze_table, last_lsn, commit_lsn, change_key,"
                + " snapshot_lsn, snapshot_xids) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (bronze_table) DO UPDATE SET"
                + " last_lsn = excluded.last_lsn, commit_lsn = excluded.commit_lsn, change_key = excluded.change_key,"
                + " snapshot_lsn = excluded.snapshot_lsn, snapshot_xids = excluded.snapshot_xids, updated_at = now()";
    }

    /** Adds this progress of {@code bronzeTable} to the batch of {@code upsert} ({@link #upsertStatement}). */
    void addTo(PreparedStatement upsert, String bronzeTable) throws SQLException {
        upsert.setString(1, bronzeTable);
        upsert.setLong(2, lastLsn);
        upsert.setLong(3, commitLsn);
        upsert.setLong(4, changeKey);
        upsert.setLong(5, snapshotLsn);
        upsert.setString(6, snapshotXids);
        upsert.addBatch();
    }
}
