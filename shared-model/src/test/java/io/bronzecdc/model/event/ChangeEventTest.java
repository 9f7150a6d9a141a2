package io.bronzecdc.model.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeEventTest {
    private static final Instant COMMIT = Instant.parse("2026-11-25T07:00:00Z");

    @Test
    void shouldSortSnapshotFirstThenByCommitPositionThenIndexInTransaction() {
        SourcePosition snapshot = SourcePosition.snapshot(PgLsn.parse("0/100"));
        // tx 11 commits after tx 10 although its change was written earlier in the WAL (interleaved).
        SourcePosition tx10first = SourcePosition.streamed(PgLsn.parse("0/500"), PgLsn.parse("0/300"), 0, 10, COMMIT);
        SourcePosition tx10second = SourcePosition.streamed(PgLsn.parse("0/500"), PgLsn.parse("0/450"), 1, 10, COMMIT);
        SourcePosition tx11 = SourcePosition.streamed(PgLsn.parse("0/600"), PgLsn.parse("0/200"), 0, 11, COMMIT);
        List<SourcePosition> positions = new ArrayList<>(List.of(tx11, tx10second, snapshot, tx10first));
        positions.sort(SourcePosition.SOURCE_ORDER);
        assertThat(positions).containsExactly(snapshot, tx10first, tx10second, tx11);
        assertThat(tx10first.isBefore(tx10second)).isTrue();
        assertThat(tx11.isBefore(tx10first)).isFalse();
    }

    @Test
    void shouldRejectPositionsThatMixSnapshotAndStreamFacts() {
        assertThatThrownBy(() -> new SourcePosition(PgLsn.ZERO, PgLsn.ZERO, 0, 5L, null, true))
                .hasMessageContaining("snapshot position has no txId");
        assertThatThrownBy(() -> new SourcePosition(PgLsn.ZERO, PgLsn.ZERO, 0, null, COMMIT, false))
                .hasMessageContaining("streamed position needs txId and commitTime");
        assertThatThrownBy(() -> SourcePosition.streamed(PgLsn.ZERO, PgLsn.ZERO, -1, 1, COMMIT))
                .hasMessageContaining("indexInTransaction must be >= 0 but was -1");
    }

    @Test
    void shouldRejectAPayloadThatIsNotAnObjectAndASnapshotRowThatIsNotAnInsert() {
        TableId payment = TableId.of("payment");
        SourcePosition snapshot = SourcePosition.snapshot(PgLsn.ZERO);
        assertThatThrownBy(() -> new ChangeEvent(payment, Op.INSERT, "[1]", snapshot))
                .hasMessageContaining("public.payment: fullRow must be a canonical JSON object but was '[1]'");
        assertThatThrownBy(() -> new ChangeEvent(payment, Op.DELETE, "{}", snapshot))
                .hasMessageContaining("a snapshot row must be op I but was DELETE");
    }

    @Test
    void shouldMapOpCodesBothWays() {
        for (Op op : Op.values()) {
            assertThat(Op.fromCode(op.code())).isSameAs(op);
        }
        assertThatThrownBy(() -> Op.fromCode('X')).hasMessageContaining("one of I, U, D but was 'X'");
    }

    @Test
    void shouldHoldCatalogNamesExactlyAndShowThemLikeQuoteIdent() {
        assertThat(TableId.parse("sales.orders")).isEqualTo(new TableId("sales", "orders"));
        assertThat(new TableId("Sales Dept", "a\"b.c").toString()).isEqualTo("\"Sales Dept\".\"a\"\"b.c\"");
        assertThat(new TableId("Sales Dept", "a\"b.c").quoted()).isEqualTo("\"Sales Dept\".\"a\"\"b.c\"");
        assertThat(TableId.of("payment").toString()).isEqualTo("public.payment");
        assertThat(TableId.of("pay$").toString()).isEqualTo("public.pay$");
        assertThat(TableId.of("ünïcode").toString()).isEqualTo("public.\"ünïcode\"");
        for (TableId t : List.of(new TableId("Sales Dept", "a\"b.c"), TableId.of("x"), new TableId("ü", "Ä"))) {
            assertThat(TableId.parse(t.toString())).isEqualTo(t);
        }
        assertThat(TableId.of("x; DROP TABLE y").quoted()).isEqualTo("\"public\".\"x; DROP TABLE y\"");
        assertThatThrownBy(() -> TableId.of("")).hasMessageContaining("name must be a PostgreSQL name");
        assertThatThrownBy(() -> TableId.of("a\0b")).hasMessageContaining("no NUL character");
        assertThat(TableId.of("é".repeat(31) + "a").name()).hasSize(32); // 63 bytes
        assertThatThrownBy(() -> TableId.of("é".repeat(32))).hasMessageContaining("1 to 63 bytes");
    }
}
