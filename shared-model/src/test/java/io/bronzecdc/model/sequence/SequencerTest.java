package io.bronzecdc.model.sequence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.bronze.BronzeRow;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.SourcePosition;
import io.bronzecdc.model.event.TableId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SequencerTest {
    private static final TableId CUSTOMER = TableId.of("customer");
    private static final TableId PAYMENT = TableId.of("payment");
    private static final Instant COMMIT = Instant.parse("2026-11-25T07:00:00Z");

    @Test
    void shouldGiveDenseLsnPerTableContinuingFromBronze() {
        Sequencer sequencer = new Sequencer(Map.of(PAYMENT, 16_049L));
        List<BronzeRow> rows = sequencer.assign(List.of(
                streamed(PAYMENT, 0x100, 0), streamed(CUSTOMER, 0x100, 1), streamed(PAYMENT, 0x100, 2),
                streamed(PAYMENT, 0x200, 0)));
        assertThat(rows).extracting(r -> r.change().table().name() + ":" + r.lsn())
                .containsExactly("payment:16050", "customer:1", "payment:16051", "payment:16052");
        assertThat(sequencer.lastLsn()).isEqualTo(Map.of(PAYMENT, 16_052L, CUSTOMER, 1L));
    }

    @Test
    void shouldBeDeterministicOnReplay() {
        List<ChangeEvent> history = randomHistory(new SplittableRandom(42), 5_000);
        List<BronzeRow> first = new Sequencer(Map.of(CUSTOMER, 7L)).assign(history);
        List<BronzeRow> replay = new Sequencer(Map.of(CUSTOMER, 7L)).assign(history);
        assertThat(replay).isEqualTo(first);
        long customers = history.stream().filter(c -> c.table().equals(CUSTOMER)).count();
        assertThat(first.stream().filter(r -> r.change().table().equals(CUSTOMER)).mapToLong(BronzeRow::lsn))
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(8, 7 + customers).boxed().toList());
    }

    @Test
    void shouldAcceptSnapshotRowsSharingOnePositionThenStreamedChanges() {
        Sequencer sequencer = Sequencer.startingEmpty();
        SourcePosition snapshot = SourcePosition.snapshot(PgLsn.ZERO);
        sequencer.next(new ChangeEvent(PAYMENT, Op.INSERT, "{\"payment_id\":1}", snapshot));
        sequencer.next(new ChangeEvent(PAYMENT, Op.INSERT, "{\"payment_id\":2}", snapshot));
        assertThat(sequencer.next(streamed(PAYMENT, 0x10, 0)).lsn()).isEqualTo(3);
    }

    @Test
    void shouldRefuseAChangeOutOfSourceOrderNamingTableAndPositions() {
        Sequencer sequencer = Sequencer.startingEmpty();
        sequencer.next(streamed(PAYMENT, 0x200, 0));
        assertThatThrownBy(() -> sequencer.next(streamed(PAYMENT, 0x100, 3)))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("public.payment: change at commit 0/100 #3")
                .hasMessageContaining("arrived after commit 0/200 #0")
                .hasMessageContaining("already got lsn 1");
        ChangeEvent lateSnapshotRow = new ChangeEvent(PAYMENT, Op.INSERT, "{}", SourcePosition.snapshot(PgLsn.ZERO));
        assertThatThrownBy(() -> sequencer.next(lateSnapshotRow)).isInstanceOf(ContractViolationException.class);
        assertThatThrownBy(() -> sequencer.next(streamed(PAYMENT, 0x200, 0)))
                .as("the same streamed position twice is a duplicate").isInstanceOf(ContractViolationException.class);
        assertThat(sequencer.lastLsn()).isEqualTo(Map.of(PAYMENT, 1L));
    }

    @Test
    void shouldRejectANegativeStartingLsn() {
        assertThatThrownBy(() -> new Sequencer(Map.of(PAYMENT, -1L)))
                .hasMessageContaining("public.payment: last lsn must be >= 0 but was -1");
    }

    private static List<ChangeEvent> randomHistory(SplittableRandom random, int changes) {
        List<ChangeEvent> history = new ArrayList<>();
        long commit = 0x1000;
        int index = 0;
        for (int i = 0; i < changes; i++) {
            if (random.nextInt(4) == 0) {
                commit += 1 + random.nextInt(100);
                index = 0;
            }
            history.add(streamed(random.nextBoolean() ? CUSTOMER : PAYMENT, commit, index++));
        }
        return history;
    }

    private static ChangeEvent streamed(TableId table, long commitLsn, int index) {
        return new ChangeEvent(table, Op.UPDATE, "{\"id\":" + index + "}", SourcePosition.streamed(
                PgLsn.of(commitLsn), PgLsn.of(commitLsn - 1), index, commitLsn, COMMIT));
    }
}
