package io.bronzecdc.flink.source;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.codec.CanonicalRowWriter;
import io.bronzecdc.model.event.TableId;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns Debezium change records straight into {@link CapturedChange}s with the canonical payload: no JSON
 * round trip. Each Debezium row schema is planned once ({@link DebeziumColumn}); per record the work is one pass
 * over the columns into a reused {@link CanonicalRowWriter}.
 *
 * <p>Snapshot reads ({@code r}) become I with no WAL position. Streamed inserts and updates carry the
 * after-image, deletes the before-image (complete, as the tables have REPLICA IDENTITY FULL). Debezium gives no
 * transaction's own commit position, so transactions are ordered by the last commit position before them
 * ({@code source.sequence[0]}) and changes inside one by a counter that restarts with each transaction id.
 */
public final class CanonicalDeserializer implements DebeziumDeserializationSchema<CapturedChange> {
    private static final long serialVersionUID = 2L;

    /**
     * Rides along in the job graph: this deserializer is the one object of ours inside the Flink CDC source, so
     * deserializing the source registers the password in each JVM before Flink CDC connects.
     */
    private final SourcePassword password;
    private transient CanonicalRowWriter writer;
    private transient Map<Schema, List<DebeziumColumn>> plans;
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
        if (writer == null) {
            writer = new CanonicalRowWriter();
            plans = new IdentityHashMap<>();
            currentTxId = Long.MIN_VALUE;
        }
        Struct source = envelope.getStruct("source");
        String table = new TableId(source.getString("schema"), source.getString("table")).toString();
        String debeziumOp = envelope.getString("op");
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
            default -> throw new ContractViolationException("table " + table + ": Debezium op '" + debeziumOp
                    + "' (a TRUNCATE or a message) cannot be stored as row changes in bronze. Stop truncating"
                    + " captured tables, or delete their rows instead");
        }
        if (image == null) {
            throw new ContractViolationException("table " + table + ": a '" + debeziumOp + "' change arrived without"
                    + " its row image. Set REPLICA IDENTITY FULL on the table and each of its partitions");
        }
        String fullRow = encode(image, table);
        if ("r".equals(debeziumOp)) {
            out.collect(new CapturedChange(table, op, fullRow, true, 0L, 0L, 0L, -1L, -1L));
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
        out.collect(new CapturedChange(table, op, fullRow, false, lastCommitLsn(source.getString("sequence")),
                changeLsn == null ? 0L : changeLsn, indexInTransaction, txId, source.getInt64("ts_ms")));
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
        List<DebeziumColumn> plan = plans.get(image.schema());
        if (plan == null) {
            plan = image.schema().fields().stream().map(field -> DebeziumColumn.plan(field, table)).toList();
            plans.put(image.schema(), plan);
        }
        CanonicalRowWriter row = writer.begin();
        for (DebeziumColumn column : plan) {
            row.value(column.field().name(), column.type(), column.value(image));
        }
        return row.end();
    }

    @Override
    public TypeInformation<CapturedChange> getProducedType() {
        return TypeInformation.of(CapturedChange.class);
    }
}
