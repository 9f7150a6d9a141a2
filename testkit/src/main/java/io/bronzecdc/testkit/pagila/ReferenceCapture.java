package io.bronzecdc.testkit.pagila;

import io.bronzecdc.model.bronze.BronzeJdbcWriter;
import io.bronzecdc.model.bronze.BronzeMigrator;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.SourcePosition;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.sequence.Sequencer;
import io.bronzecdc.model.source.SnapshotReader;
import io.bronzecdc.testkit.pagila.PagilaTable;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A test-only stand-in for a capture engine: writes a correct bronze log of the Pagila tables (a snapshot, then
 * transactions run through it) without logical decoding, so validator tests start from a known-good log and
 * corrupt it on purpose. Each change's image comes from the statement's own {@code RETURNING to_jsonb(..)}.
 */
public final class ReferenceCapture {
    private final Connection connection;
    private final BronzeJdbcWriter writer;
    private final Sequencer sequencer;

    private ReferenceCapture(Connection connection, BronzeSchema schema, Sequencer sequencer) {
        this.connection = connection;
        this.writer = new BronzeJdbcWriter(schema);
        this.sequencer = sequencer;
    }

    /**
     * Creates {@code schema} and writes the snapshot of customer, payment and rental into it.
     *
     * @param connection a connection to the source database, in auto-commit mode; the capture sets its session
     *     time zone to UTC
     */
    public static ReferenceCapture snapshot(Connection connection, BronzeSchema schema) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
        }
        BronzeMigrator.migrate(connection, schema);
        ReferenceCapture capture = new ReferenceCapture(connection, schema, Sequencer.startingEmpty());
        List<ChangeEvent> changes = new ArrayList<>();
        for (PagilaTable table : PagilaTable.values()) {
            SnapshotReader.read(connection, table.id(), PgLsn.ZERO, changes::add);
        }
        capture.writer.write(connection, capture.sequencer.assign(changes));
        return capture;
    }

    /**
     * Runs {@code changes} as one source transaction and appends them to bronze as streamed changes.
     */
    public void transaction(Change... changes) throws SQLException {
        connection.setAutoCommit(false);
        List<String> images = new ArrayList<>();
        List<PgLsn> positions = new ArrayList<>();
        long txId;
        try (Statement s = connection.createStatement()) {
            for (Change change : changes) {
                try (ResultSet rs = s.executeQuery(change.sql())) {
                    if (!rs.next()) {
                        throw new IllegalArgumentException("statement changed no row: " + change.sql());
                    }
                    images.add(rs.getString(1));
                    if (rs.next()) {
                        throw new IllegalArgumentException("statement changed more than one row: " + change.sql());
                    }
                }
                positions.add(walPosition(s));
            }
            txId = single(s, "SELECT pg_current_xact_id()::text::bigint");
            connection.commit();
            PgLsn commitLsn = walPosition(s);
            Instant commitTime = Instant.now();
            connection.setAutoCommit(true);
            List<ChangeEvent> events = new ArrayList<>();
            for (int i = 0; i < changes.length; i++) {
                events.add(new ChangeEvent(changes[i].table(), changes[i].op(), images.get(i),
                        SourcePosition.streamed(commitLsn, positions.get(i), i, txId, commitTime)));
            }
            writer.write(connection, sequencer.assign(events));
        } finally {
            if (!connection.getAutoCommit()) {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        }
    }

    private static PgLsn walPosition(Statement s) throws SQLException {
        return PgLsn.of(single(s, "SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn"));
    }

    private static long single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * One statement of a transaction: an INSERT, UPDATE or DELETE of exactly one row ending in
     * {@code RETURNING to_jsonb(<table or alias>)::text}.
     */
    public record Change(TableId table, Op op, String sql) {
        public static Change insert(String table, String sql) {
            return new Change(TableId.of(table), Op.INSERT, sql);
        }

        public static Change update(String table, String sql) {
            return new Change(TableId.of(table), Op.UPDATE, sql);
        }

        public static Change delete(String table, String sql) {
            return new Change(TableId.of(table), Op.DELETE, sql);
        }
    }
}
