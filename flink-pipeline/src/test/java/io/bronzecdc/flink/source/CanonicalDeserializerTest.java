package io.bronzecdc.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.Secret;
import io.bronzecdc.model.config.SslMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.Collector;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * Debezium update records as the Postgres connector shapes them (REPLICA IDENTITY FULL: {@code before} holds the
 * whole old row): a keyed update that keeps its key stays one U; an update of a table without a primary key (no
 * record key) becomes D(old row) then I(new row) at adjacent positions of its transaction.
 */
class CanonicalDeserializerTest {
    private static final Schema ROW = SchemaBuilder.struct().name("row")
            .field("id", SchemaBuilder.int32().optional().parameters(Map.of(DebeziumColumn.SOURCE_TYPE_PARAMETER,
                    "INT4")).build())
            .field("v", SchemaBuilder.string().optional().parameters(Map.of(DebeziumColumn.SOURCE_TYPE_PARAMETER,
                    "TEXT")).build())
            .build();
    private static final Schema KEY = SchemaBuilder.struct().name("key").field("id", Schema.INT32_SCHEMA).build();
    private static final Schema SOURCE = SchemaBuilder.struct().name("source")
            .field("schema", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA).field("txId", Schema.OPTIONAL_INT64_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA).field("sequence", Schema.OPTIONAL_STRING_SCHEMA)
            .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA).build();
    private static final Schema ENVELOPE = SchemaBuilder.struct().name("envelope")
            .field("before", SchemaBuilder.struct().name("row").optional()
                    .field("id", ROW.field("id").schema()).field("v", ROW.field("v").schema()).build())
            .field("after", SchemaBuilder.struct().name("row").optional()
                    .field("id", ROW.field("id").schema()).field("v", ROW.field("v").schema()).build())
            .field("source", SOURCE).field("op", Schema.STRING_SCHEMA).build();

    @Test
    void shouldKeepAKeyedUpdateThatKeepsItsKeyOneU() {
        List<CapturedChange> out = deserialize(update(KEY, row(1, "a"), row(1, "b")));

        assertThat(out).extracting(c -> c.op() + " " + c.fullRow() + " #" + c.indexInTransaction())
                .containsExactly("U {\"id\":1,\"v\":\"b\"} #0");
    }

    @Test
    void shouldSplitAnUpdateOfAKeylessTableIntoAdjacentDeleteAndInsert() {
        List<CapturedChange> out = deserialize(update(null, row(1, "a"), row(1, "a")),
                update(null, row(1, "a"), row(2, null)));

        assertThat(out).extracting(c -> c.op() + " " + c.fullRow() + " #" + c.indexInTransaction())
                .containsExactly("D {\"id\":1,\"v\":\"a\"} #0", "I {\"id\":1,\"v\":\"a\"} #1",
                        "D {\"id\":1,\"v\":\"a\"} #2", "I {\"id\":2,\"v\":null} #3");
        assertThat(out).extracting(CapturedChange::txId).containsOnly(7L);
    }

    @Test
    void shouldRefuseAKeylessUpdateWithoutItsOldRow() {
        assertThatThrownBy(() -> deserialize(update(null, null, row(1, "a"))))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("table public.kl: an update of a table without a primary key arrived without its old"
                        + " row")
                .hasMessageContaining("REPLICA IDENTITY FULL");
    }

    private static List<CapturedChange> deserialize(SourceRecord... records) {
        CanonicalDeserializer deserializer = new CanonicalDeserializer(SourcePassword.of(
                new PipelineConfig.SourceConfig("127.0.0.1", 5432, "db", "u", Secret.of("p"), SslMode.DISABLE,
                        "slot", "pub")));
        List<CapturedChange> out = new ArrayList<>();
        Collector<CapturedChange> collector = new Collector<>() {
            @Override
            public void collect(CapturedChange record) {
                out.add(record);
            }

            @Override
            public void close() {
            }
        };
        for (SourceRecord record : records) {
            deserializer.deserialize(record, collector);
        }
        return out;
    }

    private static SourceRecord update(Schema keySchema, Struct before, Struct after) {
        Struct source = new Struct(SOURCE).put("schema", "public").put("table", "kl").put("txId", 7L).put("lsn", 0x150L)
                .put("sequence", "[\"256\",\"336\"]").put("ts_ms", 1_764_612_000_000L);
        Struct envelope = new Struct(ENVELOPE).put("before", image(before, "before")).put("after",
                image(after, "after")).put("source", source).put("op", "u");
        Struct key = keySchema == null ? null : new Struct(keySchema).put("id", after.get("id"));
        return new SourceRecord(Map.of(), Map.of(), "topic", null, keySchema, key, ENVELOPE, envelope);
    }

    private static Struct image(Struct row, String field) {
        if (row == null) {
            return null;
        }
        Struct image = new Struct(ENVELOPE.field(field).schema());
        image.put("id", row.get("id"));
        image.put("v", row.get("v"));
        return image;
    }

    private static Struct row(Integer id, String v) {
        return new Struct(ROW).put("id", id).put("v", v);
    }
}
