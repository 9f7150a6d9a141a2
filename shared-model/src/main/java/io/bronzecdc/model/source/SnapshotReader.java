package io.bronzecdc.model.source;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.codec.CanonicalRowWriter;
import io.bronzecdc.model.codec.JdbcRowEncoder;
import io.bronzecdc.model.codec.ValueShape;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.SourcePosition;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SqlNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;
import org.postgresql.PGStatement;

/**
 * Reads a source table as initial-snapshot changes (op I, canonical {@code full_row}) on the caller's
 * connection and transaction, so the caller chooses the snapshot (for example one exported by a replication
 * slot). A whole-table read gives rows in primary-key order, so two reads of one snapshot give the same sequence;
 * a {@link SnapshotChunk} read gives its rows in heap order (see {@link ParallelSnapshot}). Column types are
 * resolved from {@code pg_catalog} once per read, so every value renders as {@code to_jsonb} renders it.
 */
public final class SnapshotReader {
    private static final int FETCH_SIZE = 5_000;

    private SnapshotReader() {
    }

    /**
     * Hands every row of {@code table} to {@code sink} as a snapshot change taken at {@code consistentPoint}.
     *
     * @param orderBy the ORDER BY list (the primary key columns)
     * @return the number of rows read
     */
    public static long read(Connection connection, TableId table, String orderBy, PgLsn consistentPoint,
            Consumer<ChangeEvent> sink) throws SQLException {
        return read(connection, table, " ORDER BY " + orderBy, "in key order", consistentPoint, sink);
    }

    /**
     * Hands every row of {@code chunk} to {@code sink} as a snapshot change taken at {@code consistentPoint}, in no
     * particular order (the order of the heap, which is all a snapshot needs: bronze takes its rows as a multiset).
     *
     * @return the number of rows read
     */
    public static long read(Connection connection, SnapshotChunk chunk, PgLsn consistentPoint,
            Consumer<ChangeEvent> sink) throws SQLException {
        return read(connection, chunk.table(), chunk.predicate(), chunk.isWhole() ? "in heap order"
                : "of " + chunk, consistentPoint, sink);
    }

    private static long read(Connection connection, TableId table, String sqlTail, String rowPlace,
            PgLsn consistentPoint, Consumer<ChangeEvent> sink) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        if (autoCommit) {
            connection.setAutoCommit(false); // the driver streams with a fetch size only inside a transaction
        }
        SourcePosition position = SourcePosition.snapshot(consistentPoint);
        CanonicalRowWriter writer = new CanonicalRowWriter();
        List<ValueShape.Field> columns = new PgTypeCatalog(connection).columns(table);
        long rows = 0;
        try (PreparedStatement ps = connection.prepareStatement("SELECT * FROM " + table.quoted() + sqlTail)) {
            // text transfer, which the encoder needs, also when the same text runs more often than prepareThreshold
            if (ps.isWrapperFor(PGStatement.class)) {
                ps.unwrap(PGStatement.class).setPrepareThreshold(0);
            }
            ps.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.getMetaData().getColumnCount() != columns.size()) {
                    throw new IllegalStateException(table + ": SELECT * gave " + rs.getMetaData().getColumnCount()
                            + " columns but pg_attribute lists " + columns.size());
                }
                JdbcRowEncoder encoder = JdbcRowEncoder.of(columns);
                while (rs.next()) {
                    String row;
                    try {
                        row = encoder.encode(rs, writer);
                    } catch (ContractViolationException e) {
                        throw new ContractViolationException(table + ", snapshot row " + (rows + 1) + " "
                                + rowPlace + ": " + e.getMessage(), e);
                    }
                    sink.accept(new ChangeEvent(table, Op.INSERT, row, position));
                    rows++;
                }
            }
        } finally {
            if (autoCommit) {
                connection.commit();
                connection.setAutoCommit(true);
            }
        }
        return rows;
    }

    /**
     * Reads any table, ordered by its primary key as the catalog gives it (by {@code ctid} when it has none, which
     * is stable inside one snapshot).
     */
    public static long read(Connection connection, TableId table, PgLsn consistentPoint, Consumer<ChangeEvent> sink)
            throws SQLException {
        List<String> key = SourceCatalog.primaryKey(connection, table);
        return read(connection, table, key.isEmpty() ? "ctid" : String.join(", ", key.stream()
                .map(SqlNames::quote).toList()), consistentPoint, sink);
    }
}
