package io.bronzecdc.spark.write;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.PgLsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * The committed position of one batch pipeline ({@code <schema>.bronze_batch_progress}, one row per slot),
 * always written in the bronze transaction whose rows it covers.
 *
 * @param slotName the pipeline's slot
 * @param snapshotLsn the consistent point of the initial snapshot
 * @param coveredLsn bronze holds exactly the transactions whose commit record starts before this position
 * @param runs committed runs so far, the snapshot run included
 * @param updatedAt when the last run committed
 * @param queryId the Structured Streaming query ({@code StreamingQuery.id()}) of {@code batchId}, or null
 * @param batchId the last batch of that query bronze holds, or null before the first
 */
public record BatchProgress(String slotName, PgLsn snapshotLsn, PgLsn coveredLsn, long runs, Instant updatedAt,
        String queryId, Long batchId) {
    private static final String COLUMNS = "slot_name, snapshot_lsn::text, covered_lsn::text, runs, updated_at,"
            + " query_id, batch_id";

    /** Whether bronze already holds batch {@code batchId} of query {@code queryId}. */
    public boolean holdsBatch(String queryId, long batchId) {
        return queryId.equals(this.queryId) && this.batchId != null && batchId <= this.batchId;
    }

    /** Reads the pipeline's row, or empty before its first committed run. */
    public static Optional<BatchProgress> read(Connection connection, BronzeSchema schema, String slotName)
            throws SQLException {
        return query(connection, "SELECT " + COLUMNS + " FROM " + table(schema) + " WHERE slot_name = ?", slotName);
    }

    /**
     * Reads the pipeline's row and locks it until the caller's transaction ends, so a concurrent writer of the
     * same pipeline (which the advisory lock should already prevent) waits instead of appending the same changes.
     */
    public static Optional<BatchProgress> lock(Connection connection, BronzeSchema schema, String slotName)
            throws SQLException {
        return query(connection, "SELECT " + COLUMNS + " FROM " + table(schema) + " WHERE slot_name = ? FOR UPDATE",
                slotName);
    }

    /** Records the first run: bronze holds the snapshot taken at {@code consistentPoint}. */
    public static void insertSnapshot(Connection connection, BronzeSchema schema, String slotName,
            PgLsn consistentPoint) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + table(schema)
                + " (slot_name, snapshot_lsn, covered_lsn, runs) VALUES (?, ?::pg_lsn, ?::pg_lsn, 1)")) {
            ps.setString(1, slotName);
            ps.setString(2, consistentPoint.toString());
            ps.setString(3, consistentPoint.toString());
            ps.executeUpdate();
        }
    }

    /** Records a later run that covered up to {@code covered}. */
    public static void update(Connection connection, BronzeSchema schema, String slotName, PgLsn covered)
            throws SQLException {
        update(connection, schema, slotName, covered, null, null);
    }

    /**
     * Records a later run that covered up to {@code covered}: batch {@code batchId} of query {@code queryId}, or
     * (both null) a run outside the query, which leaves the recorded batch as it was.
     */
    public static void update(Connection connection, BronzeSchema schema, String slotName, PgLsn covered,
            String queryId, Long batchId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE " + table(schema)
                + " SET covered_lsn = ?::pg_lsn, runs = runs + 1, updated_at = now(),"
                + " query_id = coalesce(?, query_id), batch_id = coalesce(?, batch_id) WHERE slot_name = ?")) {
            ps.setString(1, covered.toString());
            ps.setString(2, queryId);
            if (batchId == null) {
                ps.setNull(3, java.sql.Types.BIGINT);
            } else {
                ps.setLong(3, batchId);
            }
            ps.setString(4, slotName);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException(table(schema) + " has no row for slot " + slotName
                        + " although this run read it: was it deleted concurrently?");
            }
        }
    }

    private static Optional<BatchProgress> query(Connection connection, String sql, String slotName)
            throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                long batch = rs.getLong(7);
                Long batchId = rs.wasNull() ? null : batch;
                return Optional.of(new BatchProgress(rs.getString(1), PgLsn.parse(rs.getString(2)),
                        PgLsn.parse(rs.getString(3)), rs.getLong(4), rs.getTimestamp(5).toInstant(),
                        rs.getString(6), batchId));
            }
        }
    }

    private static String table(BronzeSchema schema) {
        return schema.quoted("bronze_batch_progress");
    }
}
