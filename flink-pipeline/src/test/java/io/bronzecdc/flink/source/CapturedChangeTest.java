package io.bronzecdc.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.flink.sequence.SequencedChange;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.SourcePosition;
import io.bronzecdc.model.event.TableEvent;
import io.bronzecdc.model.event.TableId;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CapturedChangeTest {
    private static final SourcePosition AT = SourcePosition.streamed(PgLsn.of(0x1_0000_2000L), PgLsn.of(0x1_0000_1F00L),
            6, 4711, Instant.parse("2026-12-01T10:15:30.123Z"));

    @Test
    void shouldCarryASchemaChangeThroughTheSequencerToTheSinkUnchanged() {
        TableEvent event = new TableEvent(new TableId("Sales Dept", "Order\tItems"), TableEvent.Kind.SCHEMA_CHANGE, AT,
                "ALTER TABLE", "ALTER TABLE \"Sales Dept\".\"Order\tItems\" ADD COLUMN note text DEFAULT 'a\\\\b'",
                "[{\"name\":\"id\",\"type\":\"integer\",\"attnum\":1}]",
                "[{\"name\":\"id\",\"type\":\"integer\",\"attnum\":1},{\"name\":\"note\",\"type\":\"text\",\"attnum\":2,"
                        + "\"missing\":\"a\\\\b\"}]");

        CapturedChange carried = CapturedChange.of(event);
        SequencedChange sequenced = SequencedChange.of(carried, 41);

        assertThat(carried.isEvent()).isTrue();
        assertThat(carried.op()).isEqualTo(CapturedChange.SCHEMA_CHANGE);
        assertThat(carried.toTableEvent()).isEqualTo(event);
        assertThat(sequenced.isEvent()).isTrue();
        assertThat(sequenced.lsn()).isEqualTo(41);
        assertThat(sequenced.toTableEvent()).isEqualTo(event);
    }

    @Test
    void shouldCarryATruncateWithoutDdl() {
        TableEvent event = TableEvent.truncate(new TableId("public", "orders"), AT);

        CapturedChange carried = CapturedChange.of(event);

        assertThat(carried.op()).isEqualTo(CapturedChange.TRUNCATE);
        assertThat(SequencedChange.of(carried, 0).toTableEvent()).isEqualTo(event);
    }

    @Test
    void shouldKeepTheConsistentPointOfASnapshotRow() {
        CapturedChange row = new CapturedChange("public.orders", 'I', "{\"id\":1}", true, 0x5000, 0x5000, 0, -1, -1,
                CapturedChange.SNAPSHOT_KEY);

        assertThat(row.isEvent()).isFalse();
        assertThat(row.toChangeEvent().position()).isEqualTo(SourcePosition.snapshot(PgLsn.of(0x5000)));
        assertThatThrownBy(row::toTableEvent).isInstanceOf(IllegalStateException.class);
    }
}
