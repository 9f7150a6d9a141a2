package io.bronzecdc.flink.source;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.event.UpdateRule;
import io.bronzecdc.model.event.TableId;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns Debezium change records straight into {@link CapturedChange}s with the canonical payload: no JSON
 * round trip. Rows become canonical JSON through {@link DebeziumRowEncoder} (each Debezium row schema planned once,
 * then one pass over the columns per row).
 *
 * <p>Snapshot reads ({@code r}) become I with no WAL position. Streamed inserts and updates carry the
 * after-image, deletes the before-image (complete, as the tables have REPLICA IDENTITY FULL). Debezium gives no
 * transaction's own commit position, so transactions are ordered by the last commit position before them
 * ({@code source.sequence[0]}) and changes inside one by a counter that restarts with each transaction id.
 *
 * <p>Updates follow the shared {@link UpdateRule} (DESIGN.md section 2). Debezium already emits an update that
 * changes the primary key as a delete of the old row then a create of the new one (with a tombstone between them,
 * which carries no row and is skipped), so they arrive as D then I at adjacent positions. An update of a table
 * without a primary key arrives as one {@code u} with the whole old row (REPLICA IDENTITY FULL) and becomes D(old
 * row) then I(new row) here. The key is the record key's columns: Debezium builds the key from the table's primary
 * key as the catalog gives it (JDBC metadata, read when the connector starts), never from the replica identity.
 *
 * <p>A TRUNCATE ({@code t}, emitted because the source sets Debezium's {@code skipped.operations} to none) stops the
 * job with a {@link ContractViolationException}: Debezium's default skips it silently, which would leave bronze
 * with rows the source no longer has.
 */
public final class CanonicalDeserializer implements DebeziumDeserializationSchema<CapturedChange> {
    private static final long serialVersionUID = 2L;

    /**
     * Rides along in the job graph: this deserializer is the one object of ours inside the Flink CDC source, so
     * deserializing the source registers the password in each JVM before Flink CDC connects.
     */
    private final SourcePassword password;
    private transient DebeziumRowEncoder encoder;
    private transient long currentTxId;
    private transient long indexInTransaction;

    /** @param password the source password, handed to pgjdbc in every JVM that runs the source */
    public CanonicalDeserializer(SourcePassword password) {
        this.password = password;
    }

    @Override
    public void deserialize(SourceRecord record, Collector<CapturedChange> out) {
        if (!(record.value() instanceof Struct envelope) || envelope.schema().field("op") == null) {
            return; // tombstones and non-change records carry no row
        }
        if (encoder == null) {
            encoder = new DebeziumRowEncoder();
            currentTxId = Long.MIN_VALUE;
        }
        String debeziumOp = envelope.getString("op");
        if ("m".equals(debeziumOp)) {
            // A logical decoding message (the schema-change trigger's, a Spark run's bound marker): no row. Flink CDC
            // 3.5 drops these before the deserializer today; should one arrive, it must not stop the job.
            return;
        }
        Struct source = envelope.getStruct("source");
        String table = new TableId(source.getString("schema"), source.getString("table")).toString();
        char op;
        Struct image;
        switch (debeziumOp) {
            case "r", "c" -> {
                op = 'I';
                image = envelope.getStruct("after");
            }
            case "u" -> {
                op = 'U';
                image = envelope.getStruct("after");
            }
            case "d" -> {
                op = 'D';
                image = envelope.getStruct("before");
            }
            case "t" -> throw new ContractViolationException("table " + source.getString("schema") + "." + table
                    + ": TRUNCATE (tx " + source.get("txId") + ", lsn " + source.get("lsn") + ") cannot be captured by"
                    + " the Flink engine: the server sends no deleted rows, so bronze would keep rows the source no"
                    + " longer has. The job stops here rather than diverge. Fix: rebuild this table's bronze log from a"
                    + " new snapshot (a new bronze.schema and slot); DELETE rows instead of truncating captured tables");
            default -> throw new ContractViolationException("table " + table + ": Debezium op '" + debeziumOp
                    + "' cannot be stored as a row change in bronze");
        }
        if (image == null) {
            throw new ContractViolationException("table " + table + ": a '" + debeziumOp + "' change arrived without"
                    + " its row image. Set REPLICA IDENTITY FULL on the table and each of its partitions");
        }
        if ("r".equals(debeziumOp)) {
            out.collect(new CapturedChange(table, op, encode(image, table), true, 0L, 0L, 0L, -1L, -1L,
                    CapturedChange.SNAPSHOT_KEY));
            return;
        }
        long txId = source.getInt64("txId");
        if (txId != currentTxId) {
            currentTxId = txId;
            indexInTransaction = 0;
        } else {
            indexInTransaction++;
        }
        Long changeLsn = source.getInt64("lsn");
        long orderLsn = lastCommitLsn(source.getString("sequence"));
        long lsn = changeLsn == null ? 0L : changeLsn;
        long commitMillis = source.getInt64("ts_ms");
        if (op == 'U') {
            Struct before = envelope.getStruct("before");
            UpdateRule rule = new UpdateRule(keyColumns(record));
            if (before == null && rule.isKeyless()) {
                throw new ContractViolationException("table " + table + ": an update of a table without a primary"
                        + " key arrived without its old row, so it cannot be logged as the D of the old row and the I"
                        + " of the new one. Set REPLICA IDENTITY FULL on the table and each of its partitions");
            }
            if (rule.splits(before == null ? null : before::get, image::get)) {
                out.collect(new CapturedChange(table, 'D', encode(before, table), false, orderLsn, lsn,
                        indexInTransaction, txId, commitMillis, indexInTransaction));
                indexInTransaction++;
                op = 'I';
            }
        }
        out.collect(new CapturedChange(table, op, encode(image, table), false, orderLsn, lsn, indexInTransaction,
                txId, commitMillis, indexInTransaction));
    }

    /** The record key's columns: the table's primary key, none for a table without one. */
    static List<String> keyColumns(SourceRecord record) {
        Schema key = record.keySchema();
        return key == null || key.type() != Schema.Type.STRUCT ? List.of()
                : key.fields().stream().map(org.apache.kafka.connect.data.Field::name).toList();
    }

    /** {@code ["<last commit lsn>","<lsn>"]}; the first element is null right after a start. */
    static long lastCommitLsn(String sequence) {
        if (sequence == null) {
            return 0L;
        }
        int open = sequence.indexOf('"');
        int comma = sequence.indexOf(',');
        if (open < 0 || open > comma) {
            return 0L;
        }
        return Long.parseLong(sequence, open + 1, sequence.indexOf('"', open + 1), 10);
    }

    private String encode(Struct image, String table) {
        return encoder.encode(image, table);
    }

    @Override
    public TypeInformation<CapturedChange> getProducedType() {
        return TypeInformation.of(CapturedChange.class);
    }
}
