package io.bronzecdc.model.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.validate.SortedRowComparison.Row;
import io.bronzecdc.model.validate.SortedRowComparison.Verdict;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class SortedRowComparisonTest {
    @Test
    void shouldOrderByCodePointsLikeCollateC() {
        // U+FF21 (fullwidth A) is one UTF-16 unit above the surrogates of U+1F600; in UTF-8 bytes it sorts first.
        List<String> keys = new ArrayList<>(List.of("\uD83D\uDE00", "\uFF21", "b", "B", "a"));
        keys.sort(SortedRowComparison.CODE_POINT_ORDER);
        assertThat(keys).containsExactly("B", "a", "b", "\uFF21", "\uD83D\uDE00");
        assertThat(SortedRowComparison.CODE_POINT_ORDER.compare("ab", "a")).isPositive();
    }

    @Test
    void shouldCountMissingExtraAndDifferentRowsWithTheFirstOfEach() throws Exception {
        var result = SortedRowComparison.compare(cursor(row("1", "x", 3), row("2", "y", 4), row("4", "z", 9)),
                cursor(row("2", "Y", 0), row("3", "w", 0), row("4", "z", 0), row("5", "v", 0)), TEXT_EQUALITY);

        assertThat(result).isEqualTo(new SortedRowComparison.Result(2, "3", 1, "1 (lsn 3)", 1, "2 (lsn 4)", 0, null));
    }

    @Test
    void shouldCompareRepeatedKeysAsMultisets() throws Exception {
        var result = SortedRowComparison.compare(cursor(row("a", "a", 1), row("a", "a", 2), row("b", "b", 3)),
                cursor(row("a", "a", 0), row("b", "b", 0), row("b", "b", 0)), TEXT_EQUALITY);

        assertThat(result.extra()).isEqualTo(1);
        assertThat(result.missing()).isEqualTo(1);
        assertThat(result.different()).isZero();
    }

    @Test
    void shouldRefuseAStreamThatIsNotSorted() {
        assertThatThrownBy(() -> SortedRowComparison.compare(cursor(row("b", "", 1), row("a", "", 2)), cursor(),
                TEXT_EQUALITY)).isInstanceOf(IllegalStateException.class).hasMessageContaining("COLLATE \"C\"");
    }

    @Test
    void shouldCompareJsonRowsByValueOnCommonColumnsAndReportOtherColumnsAsDrift() {
        Verdict same = Verdict.SAME;
        assertThat(ReplayCheck.compareRows("{\"a\": 1.0}", "{\"a\": 1.00}")).isEqualTo(same);
        assertThat(ReplayCheck.compareRows("{\"a\": 1}", "{\"a\": 1, \"added\": null}")).isEqualTo(same);
        assertThat(ReplayCheck.compareRows("{\"a\": 1}", "{\"a\": 1, \"added\": 5}"))
                .isEqualTo(new Verdict(false, true));
        assertThat(ReplayCheck.compareRows("{\"a\": 1, \"gone\": 2}", "{\"a\": 1}"))
                .isEqualTo(new Verdict(false, true));
        assertThat(ReplayCheck.compareRows("{\"a\": 1, \"b\": null}", "{\"a\": 1, \"b\": 2}"))
                .isEqualTo(new Verdict(true, false));
        assertThat(ReplayCheck.compareRows("{\"a\": 2, \"gone\": 2}", "{\"a\": 1}"))
                .isEqualTo(new Verdict(true, true));
        assertThat(ReplayCheck.compareRows("[1]", "{\"a\": 1}")).isEqualTo(new Verdict(true, false));
    }

    private static final SortedRowComparison.RowEquality TEXT_EQUALITY =
            (a, b) -> a.equals(b) ? Verdict.SAME : new Verdict(true, false);

    private static Row row(String key, String row, long lsn) {
        return new Row(key, row, lsn);
    }

    private static SortedRowComparison.RowCursor cursor(Row... rows) {
        Iterator<Row> it = List.of(rows).iterator();
        return () -> it.hasNext() ? it.next() : null;
    }
}
