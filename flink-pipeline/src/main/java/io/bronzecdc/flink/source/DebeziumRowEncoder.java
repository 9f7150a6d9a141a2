package io.bronzecdc.flink.source;

import io.bronzecdc.model.codec.CanonicalRowWriter;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * Turns one Debezium row struct (the {@code before} or {@code after} of a change envelope) into the canonical JSON
 * of bronze {@code full_row}: each Debezium row schema is planned once ({@link DebeziumColumn}), then each row is one
 * pass over its columns into a reused {@link CanonicalRowWriter}. The one path from Debezium values to bronze
 * payloads: the Flink CDC source's {@link CanonicalDeserializer} uses it, and so do the benchmark peers (plain Flink
 * CDC, Debezium embedded), whose Debezium builds differ from the one inside Flink CDC. It needs no Flink classes.
 *
 * <p>The Debezium source must be configured with {@link #VALUE_PROPERTIES}: the PostgreSQL type name Debezium
 * attaches to each column decides the JSON form. Not thread-safe: one encoder per thread.
 */
public final class DebeziumRowEncoder {
    /**
     * The Debezium properties that shape the values this encoder reads, for every source that feeds it (ours and the
     * peers): each column schema names its PostgreSQL type ({@code column.propagate.source.type}); numerics arrive
     * as their text, exact in digits and scale and with NaN ({@code decimal.handling.mode=string}; the 'precise'
     * mode fails on NaN); a type Debezium does not know arrives as its text instead of being dropped from the row
     * ({@code include.unknown.datatypes}).
     */
    public static final Map<String, String> VALUE_PROPERTIES = Map.of(
            "column.propagate.source.type", ".*",
            "decimal.handling.mode", "string",
            "include.unknown.datatypes", "true");

    private final CanonicalRowWriter writer = new CanonicalRowWriter();
    private final Map<Schema, List<DebeziumColumn>> plans = new IdentityHashMap<>();

    /**
     * The canonical JSON of {@code row}.
     *
     * @param table the source table, for messages
     * @throws io.bronzecdc.model.ContractViolationException when a column has no canonical form
     */
    public String encode(Struct row, String table) {
        List<DebeziumColumn> plan = plans.get(row.schema());
        if (plan == null) {
            plan = row.schema().fields().stream().map(field -> DebeziumColumn.plan(field, table)).toList();
            plans.put(row.schema(), plan);
        }
        CanonicalRowWriter json = writer.begin();
        for (DebeziumColumn column : plan) {
            json.value(column.field().name(), column.type(), column.value(row));
        }
        return json.end();
    }
}
