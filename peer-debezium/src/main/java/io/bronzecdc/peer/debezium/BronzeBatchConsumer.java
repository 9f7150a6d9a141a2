package io.bronzecdc.peer.debezium;

import io.bronzecdc.flink.source.DebeziumRowEncoder;
import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The peer's {@code ChangeConsumer}, as Debezium's embedded-engine documentation shows one: each batch becomes bronze
 * rows written over JDBC in one transaction, then every record is marked processed and the batch finished, which
 * lets the engine flush its offsets (every {@code offset.flush.interval.ms}).
 *
 * <p>Peer code: the op mapping (r and c to I, u to U, d to D), the per-table lsn counter (continued from
 * {@code max(lsn)} of bronze at start) and the JDBC writes. Ours: {@link DebeziumRowEncoder} (the row struct to the
 * canonical {@code full_row}) and {@link BronzeSchema} (table names, the INSERT). A TRUNCATE ({@code t}) stops the
 * engine, as it stops our engines.
 */
final class BronzeBatchConsumer implements DebeziumEngine.ChangeConsumer<ChangeEvent<SourceRecord, SourceRecord>> {
    private final Connection connection;
    private final BronzeSchema schema;
    private final Map<TableId, Long> lastLsn;
    private final Map<TableId, PreparedStatement> inserts = new HashMap<>();
    private final DebeziumRowEncoder encoder = new DebeziumRowEncoder();
    private final AtomicLong written = new AtomicLong();

    /**
     * @param connection the bronze connection, used by this consumer alone (auto-commit off)
     * @param lastLsn {@code max(lsn)} per captured table, 0 for an empty one
     */
    BronzeBatchConsumer(Connection connection, BronzeSchema schema, Map<TableId, Long> lastLsn) throws SQLException {
        this.connection = connection;
        this.schema = schema;
        this.lastLsn = new HashMap<>(lastLsn);
        connection.setAutoCommit(false);
    }

    /** Rows committed to bronze so far. */
    long written() {
        return written.get();
    }

    @Override
    public void handleBatch(List<ChangeEvent<SourceRecord, SourceRecord>> records,
            DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) throws InterruptedException {
        Map<TableId, Long> lsn = new HashMap<>(lastLsn);
        int rows = 0;
        try {
            Map<TableId, PreparedStatement> used = new LinkedHashMap<>();
            for (ChangeEvent<SourceRecord, SourceRecord> event : records) {
                if (add(event.value(), lsn, used)) {
                    rows++;
                }
            }
            for (PreparedStatement insert : used.values()) {
                insert.executeBatch();
            }
            connection.commit();
        } catch (SQLException e) {
            rollbackQuietly(e);
            throw new IllegalStateException("bronze write of a batch of " + records.size() + " records failed", e);
        } catch (RuntimeException e) {
            rollbackQuietly(e);
            throw e;
        }
        lastLsn.putAll(lsn);
        written.addAndGet(rows);
        for (ChangeEvent<SourceRecord, SourceRecord> event : records) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
    }

    /** Adds the bronze row of one record to its table's batch; false for records that carry no row. */
    private boolean add(SourceRecord record, Map<TableId, Long> lsn, Map<TableId, PreparedStatement> used)
            throws SQLException {
        if (!(record.value() instanceof Struct envelope) || envelope.schema().field("op") == null) {
            return false; // tombstones, heartbeats
        }
        String op = envelope.getString("op");
        Struct source = envelope.getStruct("source");
        TableId table = new TableId(source.getString("schema"), source.getString("table"));
        Struct image = switch (op) {
            case "r", "c", "u" -> envelope.getStruct("after");
            case "d" -> envelope.getStruct("before");
            case "m" -> null; // a logical decoding message: no row
            default -> throw new ContractViolationException("table " + table + ": Debezium op '" + op + "' (tx "
                    + source.get("txId") + ") cannot be stored as a row change in bronze; the peer stops");
        };
        if (image == null) {
            return false;
        }
        boolean snapshot = op.equals("r");
        long next = lsn.merge(table, 1L, Long::sum);
        PreparedStatement insert = used.get(table);
        if (insert == null) {
            insert = inserts.get(table);
            if (insert == null) {
                insert = connection.prepareStatement(schema.insertStatement(table));
                inserts.put(table, insert);
            }
            used.put(table, insert);
        }
        insert.setLong(1, next);
        insert.setString(2, switch (op) {
            case "u" -> "U";
            case "d" -> "D";
            default -> "I";
        });
        insert.setString(3, encoder.encode(image, table.toString()));
        // Snapshot rows: the position Debezium reports for its snapshot (0 when none), as our engines store one.
        Long changeLsn = source.getInt64("lsn");
        insert.setLong(4, changeLsn == null ? 0L : changeLsn);
        if (snapshot) {
            insert.setNull(5, Types.BIGINT);
            insert.setNull(6, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            insert.setLong(5, source.getInt64("txId"));
            insert.setTimestamp(6, new Timestamp(source.getInt64("ts_ms")));
        }
        insert.addBatch();
        return true;
    }

    private void rollbackQuietly(Exception cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
