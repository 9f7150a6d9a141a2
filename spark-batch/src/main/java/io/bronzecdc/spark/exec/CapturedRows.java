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
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The rows the read tasks hand to sequencing, one schema for the snapshot and the stream. A row is one of:
 * <ul>
 *   <li>{@value #CHANGE}: a captured change, {@code full_row} already encoded by the shared codec;</li>
 *   <li>{@value #EVENT}: a TRUNCATE or schema change of a captured table, {@code full_row} holding the event as
 *       JSON ({@link #event(Row)} reads it back); it takes the place in the table's order where it happened;</li>
 *   <li>{@value #SUMMARY}: what the stream task read, one row per task: {@code source_lsn} the end of the last
 *       commit decoded, {@code ord} the pgoutput messages read, {@code tx_id} the changes skipped because bronze
 *       held them, {@code commit_micros} those dropped because a new table's snapshot held them.</li>
 * </ul>
 * {@code ord} orders a table's rows: the position in the stream, or the snapshot chunk and the row in it. It is
 * unique per table and the same when a task runs again, so the lsn assigned from it are too.
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
    public static Row change(ChangeEvent change, long ord) {
        SourcePosition position = change.position();
        return RowFactory.create(CHANGE, change.table().schema(), change.table().name(), ord,
                String.valueOf(change.op().code()), change.fullRow(), position.changeLsn().asLong(), position.txId(),
                micros(position.commitTime()));
    }

    /** An event at {@code ord} of its table. */
    public static Row event(TableEvent event, long ord) {
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
        return RowFactory.create(EVENT, event.table().schema(), event.table().name(), ord, null, json.toString(),
                position.changeLsn().asLong(), position.txId(), micros(position.commitTime()));
    }

    /** The stream task's summary. */
    public static Row summary(PgLsn reached, long messages, long skipped, long heldBySnapshots) {
        return RowFactory.create(SUMMARY, null, null, messages, null, null, reached.asLong(), skipped,
                heldBySnapshots);
    }

    /** The table of a change or event row. */
    public static TableId table(Row row) {
        return new TableId(row.getString(row.fieldIndex(TABLE_SCHEMA)), row.getString(row.fieldIndex(TABLE_NAME)));
    }

    /** The event an {@value #EVENT} row carries. */
    public static TableEvent event(Row row) {
        return event(table(row), row.getString(row.fieldIndex(FULL_ROW)));
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
