package io.bronzecdc.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class CapturedChangeSerializerTest {
    private static final List<CapturedChange> CHANGES = List.of(
            new CapturedChange("public.orders", 'U', "{\"id\":1,\"note\":\"é€\uD83D\uDE00 \\t\\\\\"}", false,
                    0x1_0000_2000L, 0x1_0000_1F00L, 6, 4711, 1_764_547_200_123L, 6 * 256 + 255),
            new CapturedChange("\"Sales Dept\".\"Order Items\"", 'D', "{}", false, Long.MAX_VALUE, 0, 0,
                    Integer.MAX_VALUE * 2L, -1, 0),
            CapturedChange.snapshotRow("public.customer", "{\"name\":\"Ærø\"}", 0x5000, 0x4F00),
            CapturedChange.endOf("public.orders", 0x1_0000_2000L),
            CapturedChange.snapshotEnd("public.late", 0x6000, 0x5F00, "740:750:742,745"),
            new CapturedChange("public.orders", CapturedChange.TRUNCATE, null, false, 1, 2, 3, 4, 5, 6));

    @Test
    void shouldBeWhatFlinkUsesForACapturedChange() {
        TypeInformation<CapturedChange> type = TypeInformation.of(CapturedChange.class);

        assertThat(type).isInstanceOf(CapturedChangeTypeInfo.class);
        assertThat(type.createSerializer(new SerializerConfigImpl())).isSameAs(CapturedChangeSerializer.INSTANCE);
    }

    @Test
    void shouldReadBackEveryFieldOfEveryChange() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (CapturedChange change : CHANGES) {
            CapturedChangeSerializer.INSTANCE.serialize(change, out);
        }

        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (CapturedChange change : CHANGES) {
            assertThat(CapturedChangeSerializer.INSTANCE.deserialize(in)).isEqualTo(change);
        }
        assertThat(in.available()).isZero();
    }

    @Test
    void shouldCopySerializedChangesByteForByte() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        for (CapturedChange change : CHANGES) {
            CapturedChangeSerializer.INSTANCE.serialize(change, out);
        }
        byte[] serialized = out.getCopyOfBuffer();

        DataInputDeserializer in = new DataInputDeserializer(serialized);
        DataOutputSerializer copied = new DataOutputSerializer(64);
        for (int i = 0; i < CHANGES.size(); i++) {
            CapturedChangeSerializer.INSTANCE.copy(in, copied);
        }

        assertThat(copied.getCopyOfBuffer()).isEqualTo(serialized);
    }

    @Test
    void shouldRestoreItselfFromItsSnapshot() throws IOException {
        TypeSerializerSnapshot<CapturedChange> snapshot = CapturedChangeSerializer.INSTANCE.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);

        TypeSerializerSnapshot<CapturedChange> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        TypeSerializer<CapturedChange> restored = read.restoreSerializer();

        assertThat(restored).isSameAs(CapturedChangeSerializer.INSTANCE);
        assertThat(CapturedChangeSerializer.INSTANCE.snapshotConfiguration()
                .resolveSchemaCompatibility(read).isCompatibleAsIs()).isTrue();
    }

    @Test
    void shouldHandTheSameImmutableChangeOnWithoutCopying() {
        CapturedChange change = CHANGES.get(0);

        assertThat(CapturedChangeSerializer.INSTANCE.isImmutableType()).isTrue();
        assertThat(CapturedChangeSerializer.INSTANCE.copy(change)).isSameAs(change);
    }
}
