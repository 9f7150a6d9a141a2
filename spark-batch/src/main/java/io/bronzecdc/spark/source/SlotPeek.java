package io.bronzecdc.spark.source;

import io.bronzecdc.model.event.PgLsn;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Reads the slot's pending pgoutput messages up to a bound with {@code pg_logical_slot_peek_binary_changes},
 * which leaves the slot where it is: the slot only moves when the caller advances it after its bronze commit, so
 * a run that dies anywhere before that reads the same messages again.
 *
 * <p>The server decodes whole transactions only (a transaction appears at its commit), so the messages end at a
 * Commit. Rows are streamed with a cursor, never held in memory all at once.
 */
public final class SlotPeek {
    private static final int FETCH_SIZE = 10_000;
    private static final String PEEK = "SELECT lsn::text, data FROM pg_logical_slot_peek_binary_changes(?, ?::pg_lsn,"
            + " NULL, 'proto_version', '1', 'publication_names', ?, 'messages', 'true')";

    private SlotPeek() {
    }

    /** Receives each message: its {@code lsn} column and its bytes. */
    @FunctionalInterface
    public interface MessageSink {
        void accept(PgLsn lsn, ByteBuffer data) throws SQLException;
    }

    /**
     * Hands every message of transactions committed before {@code upTo} to {@code sink}, in stream order.
     *
     * @param connection a connection used for nothing else meanwhile; left in auto-commit mode afterwards
     * @return the number of messages read
     */
    public static long read(Connection connection, String slotName, String publicationName, PgLsn upTo,
            MessageSink sink) throws SQLException {
        connection.setAutoCommit(false); // pgjdbc streams with a fetch size only inside a transaction
        long messages = 0;
        try (PreparedStatement ps = connection.prepareStatement(PEEK)) {
            ps.setString(1, slotName);
            ps.setString(2, upTo.toString());
            ps.setString(3, publicationName);
            ps.setFetchSize(FETCH_SIZE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sink.accept(PgLsn.parse(rs.getString(1)), ByteBuffer.wrap(rs.getBytes(2)));
                    messages++;
                }
            }
        } finally {
            connection.rollback();
            connection.setAutoCommit(true);
        }
        return messages;
    }

    /**
     * Opens a cursor over the messages {@link #read} would hand over, for a reader that pulls them one by one. The
     * connection stays in a transaction until {@link Cursor#close()}.
     */
    public static Cursor open(Connection connection, String slotName, String publicationName, PgLsn upTo)
            throws SQLException {
        connection.setAutoCommit(false); // pgjdbc streams with a fetch size only inside a transaction
        PreparedStatement ps = connection.prepareStatement(PEEK);
        try {
            ps.setString(1, slotName);
            ps.setString(2, upTo.toString());
            ps.setString(3, publicationName);
            ps.setFetchSize(FETCH_SIZE);
            return new Cursor(connection, ps, ps.executeQuery());
        } catch (SQLException | RuntimeException e) {
            ps.close();
            connection.rollback();
            throw e;
        }
    }

    /** The messages of one peek, in stream order; {@link #next()} moves to the next one. */
    public static final class Cursor implements AutoCloseable {
        private final Connection connection;
        private final PreparedStatement statement;
        private final ResultSet rows;
        private PgLsn lsn;
        private ByteBuffer data;
        private boolean closed;

        private Cursor(Connection connection, PreparedStatement statement, ResultSet rows) {
            this.connection = connection;
            this.statement = statement;
            this.rows = rows;
        }

        /** Moves to the next message; false when the peek is exhausted. */
        public boolean next() throws SQLException {
            if (closed || !rows.next()) {
                return false;
            }
            lsn = PgLsn.parse(rows.getString(1));
            data = ByteBuffer.wrap(rows.getBytes(2));
            return true;
        }

        /** The current message's {@code lsn} column. */
        public PgLsn lsn() {
            return lsn;
        }

        /** The current message's bytes. */
        public ByteBuffer data() {
            return data;
        }

        /** Ends the reading transaction; the slot stays where it was. */
        @Override
        public void close() throws SQLException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                rows.close();
                statement.close();
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
            }
        }
    }

    /**
     * Moves the slot's confirmed position to {@code to}, releasing the WAL before it; a no-op when the slot is
     * already there or beyond.
     */
    public static void advance(Connection connection, String slotName, PgLsn to) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_replication_slot_advance(?, ?::pg_lsn)"
                + " FROM pg_replication_slots WHERE slot_name = ? AND confirmed_flush_lsn < ?::pg_lsn")) {
            ps.setString(1, slotName);
            ps.setString(2, to.toString());
            ps.setString(3, slotName);
            ps.setString(4, to.toString());
            ps.executeQuery().close();
        }
    }

    /**
     * The bound of a run's peek: {@code pg_current_wal_lsn()}, followed by a small committed transaction holding
     * a logical message ({@code pg_logical_emit_message}), on {@code connection} in auto-commit mode.
     *
     * <p>Why the message: the server decodes until it has read a record ending at or after the bound, and when no
     * record follows the bound yet it waits for new WAL (on an idle server, until the next background
     * running-transactions record, up to 15 s). The message is WAL after the bound, so the peek never waits. It
     * also works as a heartbeat: the next run decodes its commit and advances the slot over WAL written for
     * tables outside the publication, which an idle pipeline would otherwise hold forever.
     */
    public static PgLsn boundAndMark(Connection connection) throws SQLException {
        PgLsn bound = currentWal(connection);
        try (var s = connection.createStatement()) {
            s.executeQuery("SELECT pg_logical_emit_message(true, 'bronze-cdc', 'micro-batch bound " + bound + "')")
                    .close();
        }
        return bound;
    }

    /** {@code pg_current_wal_lsn()}: where the source's WAL ends now. */
    public static PgLsn currentWal(Connection connection) throws SQLException {
        try (var s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            return PgLsn.parse(rs.getString(1));
        }
    }
}
