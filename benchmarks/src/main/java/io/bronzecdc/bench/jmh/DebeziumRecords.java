package io.bronzecdc.bench.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Change records of a sample table shaped as Debezium's Postgres connector (1.9, inside Flink CDC 3.5) shapes them
 * for the Flink engine's source: the envelope {@code before}, {@code after}, {@code source}, {@code op},
 * {@code ts_ms}; the key struct of the primary key; each column's Connect type with the source type name
 * ({@code column.propagate.source.type}); REPLICA IDENTITY FULL, so updates and deletes carry the whole old row.
 * Columns Debezium does not carry for the Flink engine (arrays, refused by its preflight) are left out.
 */
final class DebeziumRecords {
    private static final String SERVER = "bronze_cdc";

    private DebeziumRecords() {
    }

    /**
     * {@code count} streamed changes ({@link ChangeMix}) in transactions of 10, from LSN and commit time onwards.
     */
    static List<SourceRecord> of(SampleTable sample, int count) {
        String prefix = SERVER + "." + sample.table().schema() + "." + sample.table().name();
        SchemaBuilder value = SchemaBuilder.struct().name(prefix + ".Value").optional();
        List<Integer> carried = new ArrayList<>();
        for (int i = 0; i < sample.columnCount(); i++) {
            SampleType type = sample.types().get(i);
            if (type.debeziumCarries()) {
                SchemaBuilder column = type.connectSchema();
                value.field(sample.columns().get(i), (i == 0 ? column : column.optional()).build());
                carried.add(i);
            }
        }
        Schema row = value.build();
        String keyName = sample.columns().get(0);
        Schema key = SchemaBuilder.struct().name(prefix + ".Key").field(keyName, row.field(keyName).schema()).build();
        Schema source = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
                .field("version", Schema.STRING_SCHEMA).field("connector", Schema.STRING_SCHEMA)
                .field("name", Schema.STRING_SCHEMA).field("ts_ms", Schema.INT64_SCHEMA)
                .field("snapshot", SchemaBuilder.string().optional().name("io.debezium.data.Enum").version(1)
                        .parameter("allowed", "true,last,false,incremental").defaultValue("false").build())
                .field("db", Schema.STRING_SCHEMA).field("sequence", Schema.OPTIONAL_STRING_SCHEMA)
                .field("schema", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA)
                .field("txId", Schema.OPTIONAL_INT64_SCHEMA).field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
                .field("xmin", Schema.OPTIONAL_INT64_SCHEMA).build();
        Schema envelope = SchemaBuilder.struct().name(prefix + ".Envelope")
                .field("before", row).field("after", row).field("source", source)
                .field("op", Schema.STRING_SCHEMA).field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA).build();

        List<SourceRecord> records = new ArrayList<>(count);
        long lsn = 0x1_6B37_4D48L;
        long lastCommit = lsn - 0x30L;
        long txId = 750;
        long commitMillis = 1_764_547_200_000L; // 2025-12-01 00:00 UTC
        for (int k = 0; k < count; k++) {
            if (k > 0 && k % 10 == 0) {
                lastCommit = lsn + 0x30L;
                lsn = lastCommit + 0x30L;
                txId++;
                commitMillis += 3;
            }
            lsn += 0x100L;
            Struct image = image(row, sample, carried, sample.rows().get(k % SampleTable.ROWS));
            ChangeMix kind = ChangeMix.of(k);
            Struct before = kind == ChangeMix.INSERT ? null : image;
            Struct after = switch (kind) {
                case INSERT -> image;
                case UPDATE -> image(row, sample, carried, sample.newValues(k));
                case DELETE -> null;
            };
            Struct sourceStruct = new Struct(source).put("version", "1.9.8.Final").put("connector", "postgresql")
                    .put("name", SERVER).put("ts_ms", commitMillis).put("snapshot", "false").put("db", "bench")
                    .put("sequence", "[\"" + lastCommit + "\",\"" + lsn + "\"]")
                    .put("schema", sample.table().schema()).put("table", sample.table().name())
                    .put("txId", txId).put("lsn", lsn);
            Struct envelopeStruct = new Struct(envelope).put("before", before).put("after", after)
                    .put("source", sourceStruct).put("op", kind == ChangeMix.INSERT ? "c"
                            : kind == ChangeMix.UPDATE ? "u" : "d")
                    .put("ts_ms", commitMillis + 5);
            Struct keyStruct = new Struct(key).put(keyName, image.get(keyName));
            records.add(new SourceRecord(Map.of("server", SERVER), Map.of("lsn", lsn, "txId", txId),
                    prefix, null, key, keyStruct, envelope, envelopeStruct));
        }
        return records;
    }

    /** A row image: the carried columns of {@code values}. */
    private static Struct image(Schema row, SampleTable sample, List<Integer> carried, Object[] values) {
        Struct struct = new Struct(row);
        for (int i : carried) {
            struct.put(sample.columns().get(i), sample.types().get(i).connectValue(values[i]));
        }
        return struct;
    }
}
