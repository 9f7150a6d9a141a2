package io.bronzecdc.flink.sink;

import io.bronzecdc.flink.sequence.SequencedChange;
import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.bronze.TableEventWriter;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one subtask's rows of the current checkpoint into one open PostgreSQL transaction (COPY per bronze
 * table, flushed as the buffer fills) and prepares it at the barrier. See {@link BronzeSink}.
 */
final class BronzeSinkWriter implements StatefulSinkWriter<SequencedChange, Long>,
        CommittingSinkWriter<SequencedChange, String> {
    private static final Logger LOG = LoggerFactory.getLogger(BronzeSinkWriter.class);
    private static final String UNIQUE_VIOLATION = "23505";

    private final BronzeSink.Settings settings;
    private final String gidPrefix;
    private final Connection connection;
    private final CopyManager copy;
    private final TableEventWriter events;
    private final Map<String, CopyRows> buffers = new LinkedHashMap<>();
    private long nextTransaction;
    private boolean transactionOpen;
    private int bufferedBytes;

    private BronzeSinkWriter(BronzeSink.Settings settings, int subtask, long nextTransaction, Connection connection)
            throws SQLException {
        this.settings = settings;
        this.gidPrefix = settings.gidPrefix(subtask);
        this.nextTransaction = nextTransaction;
        this.connection = connection;
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI();
        this.events = new TableEventWriter(new BronzeSchema(settings.schema()));
    }

    static BronzeSinkWriter open(BronzeSink.Settings settings, int subtask, long nextTransaction) throws IOException {
        try {
            Connection connection = settings.target().connect();
            BronzeSinkWriter writer = new BronzeSinkWriter(settings, subtask, nextTransaction, connection);
            writer.rollBackStalePreparedTransactions();
            connection.setAutoCommit(false);
            return writer;
        } catch (SQLException e) {
            throw new IOException("bronze sink subtask " + subtask + " could not connect to "
                    + settings.target().jdbcUrl() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Transactions this subtask prepared after the checkpoint it restores from belong to no completed checkpoint:
     * their rows will be written again by the replay. Left prepared they would hold the lsn keys and block the
     * replication slot's progress, so they are rolled back.
     */
    private void rollBackStalePreparedTransactions() throws SQLException {
        List<String> stale = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT gid FROM pg_prepared_xacts"
                + " WHERE database = current_database() AND starts_with(gid, ?)")) {
            ps.setString(1, gidPrefix);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String gid = rs.getString(1);
                    if (Long.parseLong(gid.substring(gidPrefix.length())) >= nextTransaction) {
                        stale.add(gid);
                    }
                }
            }
        }
        try (Statement s = connection.createStatement()) {
            for (String gid : stale) {
                s.execute("ROLLBACK PREPARED '" + gid + "'");
                LOG.info("Rolled back prepared transaction {}: no completed checkpoint covers it", gid);
            }
        }
    }

    @Override
    public void write(SequencedChange row, Context context) throws IOException {
        if (row.isEvent()) {
            recordEvent(row);
            return;
        }
        CopyRows rows = buffers.computeIfAbsent(row.table(), table -> new CopyRows());
        int before = rows.size();
        rows.add(row);
        bufferedBytes += rows.size() - before;
        if (bufferedBytes >= settings.flushBytes()) {
            copyBuffered();
        }
    }

    /**
     * Records a TRUNCATE or schema change in {@code bronze_table_events}, in the transaction that holds the rows
     * before it, so a reader never sees the rows without the event that changes how they replay.
     */
    private void recordEvent(SequencedChange row) throws IOException {
        copyBuffered();
        transactionOpen = true;
        try {
            events.write(connection, row.toTableEvent(), row.lsn());
        } catch (SQLException e) {
            throw new IOException("recording " + row.table() + "'s " + row.toTableEvent().commandTag() + " at commit "
                    + PgLsn.of(row.commitLsn()) + " in " + settings.schema() + ".bronze_table_events failed: "
                    + e.getMessage(), e);
        }
    }

    private void copyBuffered() throws IOException {
        for (Map.Entry<String, CopyRows> entry : buffers.entrySet()) {
            CopyRows rows = entry.getValue();
            if (rows.size() == 0) {
                continue;
            }
            String bronzeTable = new BronzeSchema(settings.schema()).tableOf(TableId.parse(entry.getKey()));
            transactionOpen = true;
            try {
                CopyIn in = copy.copyIn("COPY " + bronzeTable + " " + CopyRows.COLUMNS + " FROM STDIN");
                try {
                    rows.writeTo(in, true);
                    in.endCopy();
                } finally {
                    if (in.isActive()) {
                        in.cancelCopy();
                    }
                }
            } catch (SQLException e) {
                throw copyFailure(bronzeTable, rows, e);
            }
            rows.clear();
        }
        bufferedBytes = 0;
    }

    private IOException copyFailure(String bronzeTable, CopyRows rows, SQLException e) {
        if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
            return new IOException(new ContractViolationException(bronzeTable + ": writing " + rows.lsnRange()
                    + " found an lsn that is already committed. The job was restored from an older checkpoint than"
                    + " the last one it committed, or another writer uses this bronze schema. Restore the latest"
                    + " checkpoint, and give each pipeline its own bronze schema", e));
        }
        return new IOException("COPY into " + bronzeTable + " failed for " + rows.lsnRange() + ": " + e.getMessage(), e);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        copyBuffered();
    }

    @Override
    public Collection<String> prepareCommit() throws IOException {
        copyBuffered();
        if (!transactionOpen) {
            return List.of();
        }
        String gid = gidPrefix + nextTransaction++;
        try (Statement s = connection.createStatement()) {
            s.execute("INSERT INTO " + settings.schema() + ".bronze_sink_commit (gid) VALUES ('" + gid + "')");
            s.execute("DELETE FROM " + settings.schema() + ".bronze_sink_commit WHERE starts_with(gid, '" + gidPrefix
                    + "') AND prepared_at < now() - interval '1 hour'");
            s.execute("PREPARE TRANSACTION '" + gid + "'");
        } catch (SQLException e) {
            throw new IOException("PREPARE TRANSACTION " + gid + " failed: " + e.getMessage()
                    + ". The server needs max_prepared_transactions > 0 (one per sink subtask and checkpoint in"
                    + " flight)", e);
        }
        transactionOpen = false;
        return List.of(gid);
    }

    @Override
    public List<Long> snapshotState(long checkpointId) {
        return List.of(nextTransaction);
    }

    @Override
    public void close() throws Exception {
        try {
            if (transactionOpen) {
                connection.rollback();
            }
        } finally {
            connection.close();
        }
    }
}
