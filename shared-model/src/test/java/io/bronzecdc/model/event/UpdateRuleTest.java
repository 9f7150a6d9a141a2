package io.bronzecdc.model.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UpdateRuleTest {
    private static final TableId TABLE = TableId.of("t");
    private static final Instant COMMIT = Instant.parse("2026-12-01T18:00:00Z");

    @Test
    void shouldLogAnUpdateThatKeepsTheKeyAsOneU() {
        UpdateRule rule = new UpdateRule(List.of("a", "b"));
        assertThat(rule.splits(row("a", 1, "b", "x", "v", "old")::get, row("a", 1, "b", "x", "v", "new")::get))
                .isFalse();
        assertThat(rule.splits(null, row("a", 1, "b", "x")::get)).as("no old row: the key did not change").isFalse();
    }

    @Test
    void shouldSplitAnUpdateThatChangesAnyKeyColumn() {
        UpdateRule rule = new UpdateRule(List.of("a", "b"));
        assertThat(rule.splits(row("a", 1, "b", "x")::get, row("a", 2, "b", "x")::get)).isTrue();
        assertThat(rule.splits(row("a", 1, "b", "x")::get, row("a", 1, "b", "y")::get)).isTrue();
        assertThat(rule.splits(row("a", 1, "b", null)::get, row("a", 1, "b", "y")::get)).as("null to value").isTrue();
        assertThat(rule.splits(row("a", new byte[] {1}, "b", "x")::get, row("a", new byte[] {1}, "b", "x")::get))
                .as("arrays compare by content").isFalse();
    }

    @Test
    void shouldSplitEveryUpdateOfAKeylessTable() {
        UpdateRule rule = UpdateRule.keyless();
        assertThat(rule.isKeyless()).isTrue();
        assertThat(rule.splits(row("v", 1)::get, row("v", 1)::get)).as("even one that changes nothing").isTrue();
        assertThatThrownBy(() -> rule.splits(null, row("v", 1)::get)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs its before-image");
    }

    @Test
    void shouldGiveDThenIAtAdjacentPositionsOfOneTransaction() {
        SourcePosition d = SourcePosition.streamed(PgLsn.of(0x200), PgLsn.of(0x150), 4, 7, COMMIT);
        SourcePosition i = SourcePosition.streamed(PgLsn.of(0x200), PgLsn.of(0x150), 5, 7, COMMIT);
        List<ChangeEvent> split = UpdateRule.changes(TABLE, true, "{\"a\":1}", "{\"a\":2}", d, i);
        assertThat(split).extracting(c -> c.op().code() + c.fullRow()).containsExactly("D{\"a\":1}", "I{\"a\":2}");
        assertThat(split.get(0).position().isBefore(split.get(1).position())).isTrue();
        assertThat(UpdateRule.changes(TABLE, false, null, "{\"a\":2}", d, null))
                .extracting(c -> c.op().code() + c.fullRow()).containsExactly("U{\"a\":2}");
        SourcePosition otherTx = SourcePosition.streamed(PgLsn.of(0x200), PgLsn.of(0x150), 5, 8, COMMIT);
        assertThatThrownBy(() -> UpdateRule.changes(TABLE, true, "{}", "{}", d, otherTx))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("same transaction");
        assertThatThrownBy(() -> UpdateRule.changes(TABLE, true, "{}", "{}", i, d))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Map<String, Object> row(Object... namesAndValues) {
        Map<String, Object> row = new HashMap<>();
        for (int k = 0; k < namesAndValues.length; k += 2) {
            row.put((String) namesAndValues[k], namesAndValues[k + 1]);
        }
        return row;
    }
}
