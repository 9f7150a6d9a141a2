package io.bronzecdc.model.validate;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Validates the bronze change logs of one schema against the contract (DESIGN.md section 2): lsn unique, dense
 * from 1, ordered, payloads objects, replay equals source, lag, and the slot's retained WAL. Every check runs
 * in one read-only REPEATABLE READ transaction, so all of them see the same moment of bronze and source (when
 * bronze is in its own database, one such transaction on each side).
 * Works on any bronze schema, whichever engine wrote it.
 */
public final class BronzeValidator {
    private BronzeValidator() {
    }

    /**
     * Validates {@code tables}' bronze logs in {@code schema}.
     *
     * @throws IllegalStateException naming the table when a bronze table is missing
     */
    public static ValidationReport validate(
            Connection connection, BronzeSchema schema, List<TableId> tables, ValidationOptions options)
            throws SQLException {
        return validate(connection, connection, schema, tables, options);
    }

    /**
     * Validates {@code tables}' bronze logs in {@code schema} when bronze and the source are two databases
     * ({@code target:}); {@code source} may also be {@code connection} itself. Each side is read in its own
     * snapshot, so the replay check compares bronze with the source as it is a moment later: run it when the
     * pipeline has caught up with a quiet source, or expect the changes of that moment as differences.
     *
     * @param connection a connection to the bronze database
     * @param source a connection to the source database (replay check, slot)
     * @throws IllegalStateException naming the table when a bronze table is missing
     */
    public static ValidationReport validate(Connection connection, Connection source, BronzeSchema schema,
            List<TableId> tables, ValidationOptions options) throws SQLException {
        if (source == connection) {
            return inTransaction(connection, () -> run(connection, source, schema, tables, options));
        }
        return inTransaction(source, () -> inTransaction(connection,
                () -> run(connection, source, schema, tables, options)));
    }

    private interface Work<T> {
        T run() throws SQLException;
    }

    /** Runs {@code work} in a read-only REPEATABLE READ transaction on {@code connection}, then rolls it back. */
    private static <T> T inTransaction(Connection connection, Work<T> work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        int isolation = connection.getTransactionIsolation();
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try {
            try (Statement s = connection.createStatement()) {
                s.execute("SET TRANSACTION READ ONLY");
                s.execute("SET LOCAL TimeZone = 'UTC'");
            }
            return work.run();
        } finally {
            connection.rollback();
            connection.setTransactionIsolation(isolation);
            connection.setAutoCommit(autoCommit);
        }
    }

    private static ValidationReport run(Connection connection, Connection source, BronzeSchema schema,
            List<TableId> tables, ValidationOptions options) throws SQLException {
        List<TableStats> stats = new ArrayList<>();
        List<Violation> violations = new ArrayList<>();
        for (TableId table : tables) {
            String bronzeTable = schema.tableOf(table);
            requireTable(connection, bronzeTable, schema.displayTableOf(table), schema);
            IntegrityQueries queries = new IntegrityQueries(connection, bronzeTable, table.name());
            TableStats tableStats = queries.stats();
            stats.add(tableStats);
            violations.addAll(queries.check(tableStats, options));
            if (options.compareWithSource()) {
                // Schema changes and TRUNCATEs recorded in bronze_table_events are applied before the fold.
                TableEventReplay events = TableEventReplay.read(connection, schema, table);
                violations.addAll(new ReplayCheck(connection, source).check(table, events.replayedRows(bronzeTable)));
            }
        }
        Optional<SlotStats> slot = Optional.empty();
        if (options.slotName().isPresent()) {
            slot = slot(source, options.slotName().get());
            if (slot.isEmpty()) {
                violations.add(new Violation("*", Check.SLOT_PRESENT, 1, "replication slot "
                        + options.slotName().get() + " does not exist: the pipeline is not capturing"));
            }
        }
        return new ValidationReport(schema.name(), Instant.now(), stats, violations, slot);
    }

    private static void requireTable(Connection connection, String bronzeTable, String displayName, BronzeSchema schema)
            throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, bronzeTable);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new IllegalStateException("bronze table " + displayName + " does not exist in database "
                            + connection.getCatalog() + ". Check bronze.schema (now '" + schema + "') and the"
                            + " connection, or create the bronze schema first");
                }
            }
        }
    }

    private static Optional<SlotStats> slot(Connection connection, String slotName) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT active,"
                + " coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::bigint"
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new SlotStats(slotName, rs.getBoolean(1), rs.getLong(2)))
                        : Optional.empty();
            }
        }
    }
}
