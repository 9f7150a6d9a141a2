package io.bronzecdc.peer.flinkcdc;

import io.bronzecdc.flink.source.DebeziumRowEncoder;
import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.event.TableId;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;

/**
 * The plain job's map from Flink CDC's documented JSON (JsonDebeziumDeserializationSchema with the schema included)
 * to bronze rows; runs at parallelism 1, so its per-table lsn counter follows arrival (commit) order.
 *
 * <p>Peer code: the JSON back to a Connect struct with Kafka's documented {@link JsonConverter} (schemas enabled,
 * as the deserializer wrote it), the op mapping (r and c to I, u to U, d to D), and the lsn counter, a plain field
 * that starts from {@code max(lsn)} of bronze when the job is built (it is not in Flink state: a failover inside
 * the job restarts it from there). Ours: {@link DebeziumRowEncoder}, the struct to the canonical {@code full_row}.
 */
final class BronzeRowMapper extends RichFlatMapFunction<String, BronzeRecord> {
    private static final long serialVersionUID = 1L;
    /** Rows handed to the sinks in this JVM, for the progress line. */
    static final AtomicLong EMITTED = new AtomicLong();

    private final HashMap<String, Long> startLsn;
    private transient Map<String, Long> lastLsn;
    private transient JsonConverter converter;
    private transient DebeziumRowEncoder encoder;

    /** @param startLsn {@code max(lsn)} per table ({@code TableId.toString()}) when the job was built */
    BronzeRowMapper(Map<String, Long> startLsn) {
        this.startLsn = new HashMap<>(startLsn);
    }

    @Override
    public void open(OpenContext context) {
        lastLsn = new HashMap<>(startLsn);
        converter = new JsonConverter();
        converter.configure(Map.of("schemas.enable", true), false);
        encoder = new DebeziumRowEncoder();
    }

    @Override
    public void flatMap(String json, Collector<BronzeRecord> out) {
        SchemaAndValue record = converter.toConnectData("bronze", json.getBytes(StandardCharsets.UTF_8));
        if (!(record.value() instanceof Struct envelope) || envelope.schema().field("op") == null) {
            return; // tombstones, heartbeats
        }
        String op = envelope.getString("op");
        Struct source = envelope.getStruct("source");
        String table = new TableId(source.getString("schema"), source.getString("table")).toString();
        Struct image = switch (op) {
            case "r", "c", "u" -> envelope.getStruct("after");
            case "d" -> envelope.getStruct("before");
            default -> throw new ContractViolationException("table " + table + ": Debezium op '" + op + "' (tx "
                    + source.get("txId") + ") cannot be stored as a row change in bronze; the peer stops");
        };
        if (image == null) {
            return;
        }
        long lsn = lastLsn.merge(table, 1L, Long::sum);
        String fullRow = encoder.encode(image, table);
        Long changeLsn = source.getInt64("lsn");
        long sourceLsn = changeLsn == null ? 0L : changeLsn; // snapshot rows: 0, as our Flink CDC source stores them
        if (op.equals("r")) {
            out.collect(new BronzeRecord(table, lsn, "I", fullRow, sourceLsn, null, null));
        } else {
            out.collect(new BronzeRecord(table, lsn, op.equals("c") ? "I" : op.toUpperCase(), fullRow,
                    sourceLsn, source.getInt64("txId"), source.getInt64("ts_ms")));
        }
        EMITTED.incrementAndGet();
    }
}
