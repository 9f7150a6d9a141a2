package io.bronzecdc.flink.source.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.source.SnapshotHandover;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlotStateSerializersTest {
    private static final List<String> TABLES = List.of("public.customer", "\"Sales Dept\".\"Order Items\"",
            "\"Ünïcødé\".\"a.b\"");

    @Test
    void shouldRoundTripASplitCutInsideATransaction() throws IOException {
        SlotSplit split = new SlotSplit(0x1_6B37_4D48L, 0x1_6B37_5000L, 7L * 256 + 255, true, TABLES);
        SlotSplitSerializer serializer = new SlotSplitSerializer();

        SlotSplit back = serializer.deserialize(serializer.getVersion(), serializer.serialize(split));

        assertThat(back).isEqualTo(split);
        assertThat(back.hasOpenTransaction()).isTrue();
        assertThat(back.splitId()).isEqualTo(SlotSplit.ID);
    }

    @Test
    void shouldRoundTripTheInitialSplit() throws IOException {
        SlotSplit split = SlotSplit.initial(TABLES);
        SlotSplitSerializer serializer = new SlotSplitSerializer();

        SlotSplit back = serializer.deserialize(serializer.getVersion(), serializer.serialize(split));

        assertThat(back).isEqualTo(split);
        assertThat(back.snapshotDone()).isFalse();
        assertThat(back.hasOpenTransaction()).isFalse();
        assertThat(back.afterSnapshot(42L)).isEqualTo(new SlotSplit(42L, SlotSplit.NO_OPEN_TRANSACTION, -1L, true,
                TABLES));
    }

    @Test
    void shouldRoundTripTheEnumeratorStateWithAndWithoutItsSplit() throws IOException {
        SlotEnumeratorStateSerializer serializer = new SlotEnumeratorStateSerializer();
        SlotEnumeratorState pending = new SlotEnumeratorState(true, List.of(SlotSplit.initial(TABLES)));
        SlotEnumeratorState assigned = new SlotEnumeratorState(true, List.of());

        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(pending))).isEqualTo(pending);
        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(assigned)))
                .isEqualTo(assigned);
    }

    @Test
    void shouldRoundTripTheHandoversOfTablesThatJoinedTheRunningPipeline() throws IOException {
        SnapshotHandover handover = new SnapshotHandover(4_294_967_290L, 4_294_967_310L,
                List.of(4_294_967_291L, 4_294_967_300L), 0x2_0000_0100L);
        SnapshotHandover empty = new SnapshotHandover(700L, 700L, List.of(), 0x2_0000_0200L);
        SlotSplit split = new SlotSplit(0x2_0000_0000L, SlotSplit.NO_OPEN_TRANSACTION, -1L, true, TABLES,
                Map.of(TABLES.get(1), handover, TABLES.get(2), empty));
        SlotSplitSerializer serializer = new SlotSplitSerializer();

        SlotSplit back = serializer.deserialize(serializer.getVersion(), serializer.serialize(split));

        assertThat(back).isEqualTo(split);
        assertThat(back.handovers()).containsEntry(TABLES.get(1), handover).containsEntry(TABLES.get(2), empty);
        SlotEnumeratorStateSerializer states = new SlotEnumeratorStateSerializer();
        SlotEnumeratorState pending = new SlotEnumeratorState(true, List.of(split));
        assertThat(states.deserialize(states.getVersion(), states.serialize(pending))).isEqualTo(pending);
    }

    /** A checkpoint written before tables could join a running pipeline (version 1) still restores. */
    @Test
    void shouldReadVersionOneStateWithoutHandovers() throws IOException {
        SlotSplit split = new SlotSplit(0x1_6B37_4D48L, 0x1_6B37_5000L, 7L * 256 + 255, true, TABLES);
        byte[] version1 = versionOne(split);

        assertThat(new SlotSplitSerializer().deserialize(1, version1)).isEqualTo(split);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeBoolean(true);
            out.writeInt(1);
            out.write(version1);
        }
        assertThat(new SlotEnumeratorStateSerializer().deserialize(1, bytes.toByteArray()))
                .isEqualTo(new SlotEnumeratorState(true, List.of(split)));
    }

    /** The version 1 layout, as the build before version 2 wrote it. */
    private static byte[] versionOne(SlotSplit split) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(split.restartLsn());
            out.writeLong(split.openCommitLsn());
            out.writeLong(split.lastEmittedKey());
            out.writeBoolean(split.snapshotDone());
            out.writeInt(split.tables().size());
            for (String table : split.tables()) {
                byte[] utf8 = table.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                out.writeInt(utf8.length);
                out.write(utf8);
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void shouldRefuseAnUnknownVersionWithTheVersionsNamed() {
        assertThatThrownBy(() -> new SlotSplitSerializer().deserialize(9, new byte[0]))
                .isInstanceOf(IOException.class).hasMessageContaining("version 9")
                .hasMessageContaining("versions 1 and 2");
        assertThatThrownBy(() -> new SlotEnumeratorStateSerializer().deserialize(9, new byte[0]))
                .isInstanceOf(IOException.class).hasMessageContaining("version 9");
    }

    @Test
    void shouldNeverShowThePasswordOfTheEndpoint() {
        var source = new io.bronzecdc.model.config.PipelineConfig.SourceConfig("db", 5432, "app", "cdc",
                io.bronzecdc.model.config.Secret.of("hunter2"), io.bronzecdc.model.config.SslMode.DISABLE, "s1",
                "p1");
        assertThat(SlotEndpoint.of(source).toString()).doesNotContain("hunter2").contains("slot s1");
    }
}
