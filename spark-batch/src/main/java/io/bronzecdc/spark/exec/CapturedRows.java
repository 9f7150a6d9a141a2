package io.bronzecdc.spark.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.SourcePosition;
import io.bronzecdc.model.event.TableEvent;
import io.bronzecdc.model.event.TableId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * The rows the read tasks hand to sequencing, one schema for the snapshot and the stream. A row is one of:
 * <ul>
 *   <li>{@value #CHANGE}: a captured change, {@code full_row} already encoded by the shared codec;</li>
 *   <li>{@value #EVENT}: a TRUNCATE or schema change of a captured table, {@code full_row} holding the event as
 *       JSON ({@link #event(TableId, String)} reads it back); it takes the place in the table's order where it happened;</li>
 *   <li>{@value #SUMMARY}: what the stream task read, one row per task: {@code source_lsn} the end of the last
 *       commit decoded, {@code ord} the pgoutput messages read, {@code tx_id} the changes skipped because bronze
 *       held them, {@code commit_micros} those dropped because a new table's snapshot held them.</li>
 * </ul>
 * {@code ord} orders a task's rows: the position in the stream, or the row in the snapshot chunk. A task numbers
 * its rows in that order and the driver places the tasks in partition order ({@link Sequencing}), so a table's lsn
 * follow the stream, or the chunks and the rows in them, and are the same when a task runs again.
 *
 * <p>The rows are Spark's internal rows (strings as UTF-8 bytes): the read tasks build them and the write tasks
 * copy their bytes into the COPY stream, with no conversion between.
 */
public final class CapturedRows {
    public static final String CHANGE = "C";
    public static final String EVENT = "E";
    public static final String SUMMARY = "S";

    public static final String KIND = "kind";
    public static final String TABLE_SCHEMA = "table_schema";
    public static final String TABLE_NAME = "table_name";
    public static final String ORD = "ord";
    public static final String OP = "op";
    public static final String FULL_ROW = "full_row";
    public static final String SOURCE_LSN = "source_lsn";
    public static final String TX_ID = "tx_id";
    public static final String COMMIT_MICROS = "commit_micros";

    /** Column positions, as in {@link #SCHEMA}. */
    static final int KIND_AT = 0;
    static final int TABLE_SCHEMA_AT = 1;
    static final int TABLE_NAME_AT = 2;
    static final int ORD_AT = 3;
    static final int OP_AT = 4;
    static final int FULL_ROW_AT = 5;
    static final int SOURCE_LSN_AT = 6;
    static final int TX_ID_AT = 7;
    static final int COMMIT_MICROS_AT = 8;

    static final UTF8String CHANGE_KIND = UTF8String.fromString(CHANGE);
    static final UTF8String EVENT_KIND = UTF8String.fromString(EVENT);
    static final UTF8String SUMMARY_KIND = UTF8String.fromString(SUMMARY);

    /** The row schema, in column order. */
    public static final StructType SCHEMA = new StructType()
            .add(KIND, DataTypes.StringType, false)
            .add(TABLE_SCHEMA, DataTypes.StringType, true)
            .add(TABLE_NAME, DataTypes.StringType, true)
            .add(ORD, DataTypes.LongType, false)
            .add(OP, DataTypes.StringType, true)
            .add(FULL_ROW, DataTypes.StringType, true)
            .add(SOURCE_LSN, DataTypes.LongType, false)
            .add(TX_ID, DataTypes.LongType, true)
            .add(COMMIT_MICROS, DataTypes.LongType, true);

    private static final ObjectMapper JSON = new ObjectMapper();

    private CapturedRows() {
    }

    /** A change at {@code ord} of its table. */
    public static InternalRow change(ChangeEvent change, long ord) {
        SourcePosition position = change.position();
        return new GenericInternalRow(new Object[] {CHANGE_KIND, utf8(change.table().schema()),
            utf8(change.table().name()), ord, utf8(String.valueOf(change.op().code())), utf8(change.fullRow()),
            position.changeLsn().asLong(), position.txId(), micros(position.commitTime())});
    }

    /** An event at {@code ord} of its table. */
    public static InternalRow event(TableEvent event, long ord) {
        SourcePosition position = event.position();
        ObjectNode json = JSON.createObjectNode()
                .put("kind", event.kind().name())
                .put("commitLsn", position.commitLsn().asLong())
                .put("changeLsn", position.changeLsn().asLong())
                .put("index", position.indexInTransaction())
                .put("txId", position.txId())
                .put("commitTime", position.commitTime().toString())
                .put("commandTag", event.commandTag())
                .put("ddl", event.ddl())
                .put("columnsBefore", event.columnsBefore())
                .put("columns", event.columns());
        return new GenericInternalRow(new Object[] {EVENT_KIND, utf8(event.table().schema()),
            utf8(event.table().name()), ord, null, utf8(json.toString()), position.changeLsn().asLong(),
            position.txId(), micros(position.commitTime())});
    }

    /** The stream task's summary. */
    public static InternalRow summary(PgLsn reached, long messages, long skipped, long heldBySnapshots) {
        return new GenericInternalRow(new Object[] {SUMMARY_KIND, null, null, messages, null, null, reached.asLong(),
            skipped, heldBySnapshots});
    }

    private static UTF8String utf8(String text) {
        return text == null ? null : UTF8String.fromString(text);
    }

    /** The event of {@code table} that {@link #event(TableEvent, long)} wrote as {@code json}. */
    public static TableEvent event(TableId table, String json) {
        try {
            JsonNode node = JSON.readTree(json);
            SourcePosition position = SourcePosition.streamed(PgLsn.of(node.get("commitLsn").asLong()),
                    PgLsn.of(node.get("changeLsn").asLong()), node.get("index").asLong(), node.get("txId").asLong(),
                    Instant.parse(node.get("commitTime").asText()));
            return new TableEvent(table, TableEvent.Kind.valueOf(node.get("kind").asText()), position,
                    node.get("commandTag").asText(), text(node, "ddl"), text(node, "columnsBefore"),
                    text(node, "columns"));
        } catch (IOException e) {
            throw new UncheckedIOException("a staged event of " + table + " is not the JSON this build writes", e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    /**
     * Microseconds since the epoch of a commit time, in milliseconds as both engines store it (see
     * {@link io.bronzecdc.model.bronze.BronzeRow#commitTs()}); null for snapshot rows.
     */
    static Long micros(Instant commitTime) {
        return commitTime == null ? null : ChronoUnit.MICROS.between(Instant.EPOCH, commitTime.truncatedTo(
                ChronoUnit.MILLIS));
    }
}
