package io.bronzecdc.flink.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.SourcePosition;
import io.bronzecdc.model.event.TableEvent;
import io.bronzecdc.model.event.TableId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A change as it travels from the source to the sequencer: the fields of a {@link ChangeEvent}, flattened to
 * primitives and strings so that Flink serializes it as a POJO (never Kryo) between operators.
 *
 * @param table the source table as {@link TableId#toString()} shows it ({@code public.orders},
 *     {@code "Sales Dept"."Order Items"}); {@link TableId#parse} reads it back
 * @param op I, U or D for a row change; {@value #TRUNCATE} or {@value #SCHEMA_CHANGE} for a {@link TableEvent}
 *     ({@link #of(TableEvent)}), which travels in order with the table's changes but gets no lsn of its own
 * @param fullRow canonical JSON of the row; for an event, its command tag, DDL and columns as JSON
 * @param snapshot whether the initial snapshot read it
 * @param orderLsn WAL position that orders transactions: with the pgoutput source the transaction's commit LSN
 *     (the snapshot's consistent point for snapshot rows); with the Flink CDC source Debezium's last commit position
 *     before this transaction (0 for snapshot rows and for the first transaction after a start)
 * @param changeLsn WAL position of the change; for snapshot rows the snapshot's consistent point (0 where the
 *     source has none)
 * @param indexInTransaction position of the change inside its transaction
 * @param txId source transaction id (-1 for snapshot rows)
 * @param commitMillis commit time in epoch milliseconds (-1 for snapshot rows)
 * @param orderKey with {@code orderLsn}, the change's place in the stream: increasing within a transaction and the
 *     same when the transaction is resent ({@value #SNAPSHOT_KEY} for snapshot rows, which precede every change
 *     streamed after their snapshot; {@link Long#MAX_VALUE} for a {@link #TRANSACTION_END}); the Flink CDC source
 *     gives {@code indexInTransaction}
 */
public record CapturedChange(
        String table, char op, String fullRow, boolean snapshot, long orderLsn, long changeLsn,
        long indexInTransaction, long txId, long commitMillis, long orderKey) {
    /** {@link #op} of a TRUNCATE event. */
    public static final char TRUNCATE = 'T';
    /** {@link #op} of a schema-change event. */
    public static final char SCHEMA_CHANGE = 'S';
    /**
     * {@link #op} of the end of a table's part of a source transaction, or of a table's snapshot: the changes of the
     * table before it (since the previous end) form one unit that bronze makes visible at once. Its {@link #fullRow}
     * is empty, or for the end of a snapshot taken after the stream started, the snapshot's handover
     * ({@code SnapshotHandover#toString}).
     */
    public static final char TRANSACTION_END = 'E';
    /** {@link #orderKey} of snapshot rows. */
    public static final long SNAPSHOT_KEY = -1;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Table names as parsed, one per captured table: parsing each change's name was 4% of a snapshot (JFR). */
    private static final Map<String, TableId> PARSED_TABLES = new ConcurrentHashMap<>();

    /** An event of a captured table, carried in stream order with its changes. */
    public static CapturedChange of(TableEvent event) {
        return of(event, event.position().indexInTransaction());
    }

    /** An event of a captured table at {@code orderKey} in its transaction (see {@link #orderKey}). */
    public static CapturedChange of(TableEvent event, long orderKey) {
        ObjectNode detail = JSON.createObjectNode();
        detail.put("command_tag", event.commandTag());
        detail.put("ddl", event.ddl());
        detail.put("columns_before", event.columnsBefore());
        detail.put("columns", event.columns());
        SourcePosition p = event.position();
        return new CapturedChange(event.table().toString(),
                event.kind() == TableEvent.Kind.TRUNCATE ? TRUNCATE : SCHEMA_CHANGE, detail.toString(), false,
                p.commitLsn().asLong(), p.changeLsn().asLong(), p.indexInTransaction(), p.txId(),
                p.commitTime().toEpochMilli(), orderKey);
    }

    /** A snapshot row of {@code table} read at {@code snapshotLsn}, placed at {@code orderLsn} in the stream. */
    public static CapturedChange snapshotRow(String table, String fullRow, long orderLsn, long snapshotLsn) {
        return new CapturedChange(table, 'I', fullRow, true, orderLsn, snapshotLsn, 0L, -1L, -1L, SNAPSHOT_KEY);
    }

    /** The {@link #TRANSACTION_END} of {@code table}'s part of the transaction that commits at {@code commitLsn}. */
    public static CapturedChange endOf(String table, long commitLsn) {
        return new CapturedChange(table, TRANSACTION_END, "", false, commitLsn, commitLsn, 0L, -1L, -1L,
                Long.MAX_VALUE);
    }

    /**
     * The {@link #TRANSACTION_END} of {@code table}'s snapshot read at {@code snapshotLsn}, placed at {@code orderLsn}
     * in the stream.
     *
     * @param xids for a snapshot taken while the stream ran, the transactions it holds ({@code xmin:xmax:xip}); null
     *     for the initial snapshot, which holds exactly what commits before its consistent point
     */
    public static CapturedChange snapshotEnd(String table, long orderLsn, long snapshotLsn, String xids) {
        return new CapturedChange(table, TRANSACTION_END, xids == null ? "" : xids, true, orderLsn, snapshotLsn, 0L,
                -1L, -1L, Long.MAX_VALUE);
    }

    /** Whether this ends the table's part of a transaction or its snapshot ({@link #TRANSACTION_END}). */
    public boolean isEnd() {
        return op == TRANSACTION_END;
    }

    /** Whether this carries a {@link TableEvent} rather than a row change. */
    public boolean isEvent() {
        return op == TRUNCATE || op == SCHEMA_CHANGE;
    }

    /** The event this carries; see {@link #of(TableEvent)}. */
    public TableEvent toTableEvent() {
        if (!isEvent()) {
            throw new IllegalStateException(table + ": op " + op + " is a row change, not an event");
        }
        try {
            JsonNode detail = JSON.readTree(fullRow);
            return new TableEvent(TableId.parse(table),
                    op == TRUNCATE ? TableEvent.Kind.TRUNCATE : TableEvent.Kind.SCHEMA_CHANGE, position(),
                    detail.get("command_tag").asText(), text(detail, "ddl"), text(detail, "columns_before"),
                    text(detail, "columns"));
        } catch (IOException e) {
            throw new UncheckedIOException(table + ": unreadable event detail", e);
        }
    }

    private static String text(JsonNode detail, String field) {
        JsonNode value = detail.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private SourcePosition position() {
        return snapshot
                ? SourcePosition.snapshot(PgLsn.of(changeLsn))
                : SourcePosition.streamed(PgLsn.of(orderLsn), PgLsn.of(changeLsn), indexInTransaction, txId,
                        Instant.ofEpochMilli(commitMillis));
    }

    /** The model's change event. */
    public ChangeEvent toChangeEvent() {
        return new ChangeEvent(PARSED_TABLES.computeIfAbsent(table, TableId::parse), Op.fromCode(op), fullRow,
                position());
    }
}
