package io.bronzecdc.model.source;

import io.bronzecdc.model.postgres.SourceConnections;
import io.bronzecdc.model.config.PipelineConfig.SourceConfig;
import io.bronzecdc.model.event.PgLsn;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's logical slot, created with an exported snapshot: the snapshot shows exactly the transactions
 * that committed before the slot's consistent point, and the slot streams exactly those that commit after it, so
 * a snapshot read through it meets the stream with no gap and no overlap (DESIGN.md section 3).
 *
 * <p>The snapshot lives as long as the replication connection that created the slot runs no other command:
 * keep this object open until every reading transaction has run {@link #importInto}.
 */
public final class ExportedSnapshot implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExportedSnapshot.class);

    private final Connection replication;
    private final String slotName;
    private final PgLsn consistentPoint;
    private final String snapshotName;

    private ExportedSnapshot(Connection replication, String slotName, PgLsn consistentPoint, String snapshotName) {
        this.replication = replication;
        this.slotName = slotName;
        this.consistentPoint = consistentPoint;
        this.snapshotName = snapshotName;
    }

    /**
     * Creates the slot ({@code CREATE_REPLICATION_SLOT <slot> LOGICAL pgoutput EXPORT_SNAPSHOT}) on a new
     * replication connection, which this object keeps open.
     */
    public static ExportedSnapshot createSlot(SourceConnections connections, SourceConfig source)
            throws SQLException {
        return createSlot(connections, source.slotName());
    }

    /** Creates slot {@code slotName}; see {@link #createSlot(SourceConnections, SourceConfig)}. */
    public static ExportedSnapshot createSlot(SourceConnections connections, String slotName) throws SQLException {
        String slot = SourceConfig.requireSlotName(slotName);
        Connection replication = connections.openReplication("snapshot export");
        try (Statement s = replication.createStatement();
                ResultSet rs = s.executeQuery("CREATE_REPLICATION_SLOT " + slot + " LOGICAL pgoutput EXPORT_SNAPSHOT")) {
            rs.next();
            PgLsn consistentPoint = PgLsn.parse(rs.getString("consistent_point"));
            String snapshot = rs.getString("snapshot_name");
            LOG.info("Created replication slot {} at consistent point {} with exported snapshot {}", slot,
                    consistentPoint, snapshot);
            return new ExportedSnapshot(replication, slot, consistentPoint, snapshot);
        } catch (SQLException | RuntimeException e) {
            replication.close();
            throw new SQLException("could not create replication slot " + slot + " with an exported snapshot on "
                    + connections.describe() + ": " + e.getMessage(),
                    e instanceof SQLException sql ? sql.getSQLState() : null, e);
        }
    }

    /**
     * Starts a REPEATABLE READ, read-only transaction on {@code connection} that sees the exported snapshot. The
     * connection stays in that transaction (auto-commit off) until the caller ends it.
     */
    public void importInto(Connection connection) throws SQLException {
        importInto(connection, snapshotName);
    }

    /**
     * Starts a REPEATABLE READ, read-only transaction on {@code connection} that sees the snapshot exported as
     * {@code snapshotName} by another session (which must still hold it open), as {@link #importInto(Connection)}.
     * For readers in other processes, such as Spark executors, that got the name from the exporting process.
     */
    public static void importInto(Connection connection, String snapshotName) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            s.execute("SET TRANSACTION SNAPSHOT '" + snapshotName.replace("'", "''") + "'");
        }
    }

    /** The name other sessions import the snapshot by ({@code SET TRANSACTION SNAPSHOT}). */
    public String snapshotName() {
        return snapshotName;
    }

    /** Where the slot starts streaming: the snapshot holds every transaction committed before it. */
    public PgLsn consistentPoint() {
        return consistentPoint;
    }

    public String slotName() {
        return slotName;
    }

    /** Closes the replication connection, which ends the exported snapshot; the slot stays. */
    @Override
    public void close() throws SQLException {
        replication.close();
    }
}
