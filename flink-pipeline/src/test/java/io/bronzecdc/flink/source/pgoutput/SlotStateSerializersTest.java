package io.bronzecdc.flink.source.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
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
    void shouldRefuseAnUnknownVersionWithTheVersionsNamed() {
        assertThatThrownBy(() -> new SlotSplitSerializer().deserialize(9, new byte[0]))
                .isInstanceOf(IOException.class).hasMessageContaining("version 9").hasMessageContaining("version 1");
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
