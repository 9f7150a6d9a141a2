package io.bronzecdc.model.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.event.PgLsn;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotHandoverTest {
    private static final PgLsn AT = PgLsn.parse("0/5000000");
    private static final long EPOCH = 1L << 32;

    @Test
    void shouldSeeTransactionsBelowXminAndBelowXmaxOutsideTheInProgressList() {
        SnapshotHandover h = SnapshotHandover.parse("100:110:102,105", AT);
        assertThat(h.visible(99)).as("below xmin").isTrue();
        assertThat(h.visible(100)).as("xmin itself was running or later").isTrue();
        assertThat(h.visible(101)).as("between, not in progress").isTrue();
        assertThat(h.visible(102)).as("in progress").isFalse();
        assertThat(h.visible(105)).as("in progress").isFalse();
        assertThat(h.visible(109)).as("just below xmax").isTrue();
        assertThat(h.visible(110)).as("xmax itself").isFalse();
        assertThat(h.visible(4000)).as("far after xmax").isFalse();
    }

    @Test
    void shouldTreatXminAsVisibleOnlyWhenNotInProgress() {
        // pg_current_snapshot lists xmin among the in-progress xids when it is still running.
        SnapshotHandover h = SnapshotHandover.parse("100:103:100", AT);
        assertThat(h.visible(100)).isFalse();
        assertThat(h.visible(99)).isTrue();
        assertThat(h.visible(101)).isTrue();
    }

    @Test
    void shouldSeeNothingNewInAnEmptyRange() {
        SnapshotHandover h = SnapshotHandover.parse("7:7:", AT);
        assertThat(h.visible(6)).isTrue();
        assertThat(h.visible(7)).isFalse();
        assertThat(h.inProgress()).isEmpty();
    }

    @Test
    void shouldWidenAcrossAnEpochWrap() {
        // xmax just after the wrap into epoch 3: xids of the end of epoch 2 come as large 32-bit values.
        long xmax = 3 * EPOCH + 5;
        SnapshotHandover h = new SnapshotHandover(2 * EPOCH + 0xFFFF_FFF0L, xmax, List.of(2 * EPOCH + 0xFFFF_FFF5L), 1);
        assertThat(h.widen(0xFFFF_FFF5L)).isEqualTo(2 * EPOCH + 0xFFFF_FFF5L);
        assertThat(h.widen(3)).isEqualTo(3 * EPOCH + 3);
        assertThat(h.visible(0xFFFF_FFEFL)).as("before xmin in the previous epoch").isTrue();
        assertThat(h.visible(0xFFFF_FFF5L)).as("in progress, previous epoch").isFalse();
        assertThat(h.visible(0xFFFF_FFFFL)).as("committed, previous epoch").isTrue();
        assertThat(h.visible(4)).as("after the wrap, below xmax").isTrue();
        assertThat(h.visible(5)).as("xmax").isFalse();
        assertThat(h.visible(6)).as("after xmax").isFalse();
    }

    @Test
    void shouldWidenAnXidOfTheNextEpochAfterXmax() {
        // xmax at the end of epoch 2: a transaction started after the snapshot may already have wrapped to epoch 3.
        SnapshotHandover h = new SnapshotHandover(2 * EPOCH + 0xFFFF_FF00L, 2 * EPOCH + 0xFFFF_FFF0L, List.of(), 1);
        assertThat(h.widen(2)).isEqualTo(3 * EPOCH + 2);
        assertThat(h.visible(2)).as("a 32-bit xid smaller than xmax's low half is newer, not older").isFalse();
        assertThat(h.visible(0xFFFF_FFEFL)).isTrue();
        assertThat(h.visible(0xFFFF_FFF0L)).isFalse();
    }

    @Test
    void shouldWidenAtTheHalfRangeBoundaries() {
        long xmax = 5 * EPOCH + 10;
        SnapshotHandover h = new SnapshotHandover(xmax, xmax, List.of(), 1);
        assertThat(h.widen(10 + (1L << 31) - 1)).as("2^31 - 1 ahead").isEqualTo(xmax + (1L << 31) - 1);
        assertThat(h.widen(10 + (1L << 31))).as("2^31 ahead is 2^31 behind").isEqualTo(xmax - (1L << 31));
        assertThatThrownBy(() -> h.widen(EPOCH)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.widen(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldHoldOnlyVisibleTransactionsCommittedBeforeTheSnapshotLsn() {
        SnapshotHandover h = SnapshotHandover.parse("100:110:105", AT);
        PgLsn before = PgLsn.of(AT.asLong() - 1);
        assertThat(h.holds(101, before)).isTrue();
        assertThat(h.holds(105, before)).as("commit written before the snapshot, not yet visible in it").isFalse();
        assertThat(h.holds(101, AT)).as("at the snapshot lsn").isFalse();
        assertThat(h.passedBy(before)).isFalse();
        assertThat(h.passedBy(AT)).isTrue();
        assertThat(h.lsn()).isEqualTo(AT);
    }

    @Test
    void shouldRejectWhatIsNotASnapshot() {
        assertThatThrownBy(() -> SnapshotHandover.parse("100:110", AT)).hasMessageContaining("'100:110'");
        assertThatThrownBy(() -> SnapshotHandover.parse("a:b:", AT)).hasMessageContaining("'a:b:'");
        assertThatThrownBy(() -> SnapshotHandover.parse("110:100:", AT)).hasMessageContaining("xmin=110");
        assertThatThrownBy(() -> SnapshotHandover.parse("100:110:111", AT)).hasMessageContaining("[111]");
    }

    @Test
    void shouldSurviveJavaSerialization() throws Exception {
        SnapshotHandover h = SnapshotHandover.parse("4294967400:4294967410:4294967402,4294967405", AT);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(h);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            SnapshotHandover back = (SnapshotHandover) in.readObject();
            assertThat(back).isEqualTo(h);
            assertThat(back.visible(105)).isTrue(); // 2^32 + 105 is below xmax, not in progress
            assertThat(back.visible(106)).isFalse();
        }
    }
}
