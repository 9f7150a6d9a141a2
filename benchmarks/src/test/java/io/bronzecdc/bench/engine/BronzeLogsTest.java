package io.bronzecdc.bench.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.bench.engine.BronzeLogs.StreamedRow;
import io.bronzecdc.model.event.TableId;
import java.util.List;
import org.junit.jupiter.api.Test;

class BronzeLogsTest {
    private static final TableId PAYMENT = TableId.of("payment");
    private static final StreamedRow FIRST = row(16_050, "I", 740, "{\"amount\": 1.50, \"payment_id\": 32099}");
    private static final StreamedRow SECOND = row(16_051, "U", 741, "{\"amount\": 2.00, \"payment_id\": 17}");

    @Test
    void shouldFindNoDifferenceBetweenIdenticalLogs() {
        assertThat(BronzeLogs.firstDifference(PAYMENT, "flink", List.of(FIRST, SECOND), "spark", List.of(FIRST, SECOND)))
                .isEmpty();
    }

    @Test
    void shouldCountCommitTimeAndSourceLsnAsPartOfTheContract() {
        StreamedRow otherCommitTime = new StreamedRow(16_051, "U", 741, "{}", SECOND.fullRow(), SECOND.sourceLsn(),
                "2026-11-25 08:42:25.649+00");
        StreamedRow otherSourceLsn = new StreamedRow(16_051, "U", 741, "{}", SECOND.fullRow(), 99, SECOND.commitTs());

        assertThat(BronzeLogs.firstDifference(PAYMENT, "flink", List.of(FIRST, otherCommitTime), "spark",
                List.of(FIRST, SECOND))).hasValueSatisfying(message -> assertThat(message).contains("08:42:25.649+00"));
        assertThat(BronzeLogs.firstDifference(PAYMENT, "flink", List.of(FIRST, otherSourceLsn), "spark",
                List.of(FIRST, SECOND))).hasValueSatisfying(message -> assertThat(message).contains("source_lsn 99"));
    }

    @Test
    void shouldNameTheFirstDifferingChangeWithBothPayloads() {
        StreamedRow otherAmount = row(16_051, "U", 741, "{\"amount\": 2.0, \"payment_id\": 17}");

        assertThat(BronzeLogs.firstDifference(PAYMENT, "flink", List.of(FIRST, SECOND), "spark",
                List.of(FIRST, otherAmount))).hasValueSatisfying(message -> assertThat(message)
                .contains("public.payment: streamed change #2 (of 2 in flink, 2 in spark) differs")
                .contains("flink: lsn 16051 op U tx_id 741", "\"amount\": 2.00")
                .contains("spark: lsn 16051 op U tx_id 741", "\"amount\": 2.0,"));
    }

    @Test
    void shouldReportAChangeOnlyOneEngineHas() {
        assertThat(BronzeLogs.firstDifference(PAYMENT, "flink", List.of(FIRST), "spark", List.of(FIRST, SECOND)))
                .hasValueSatisfying(message -> assertThat(message).contains("#2 (of 1 in flink, 2 in spark)")
                        .contains("flink: (no row)"));
    }

    private static StreamedRow row(long lsn, String op, long txId, String fullRow) {
        return new StreamedRow(lsn, op, txId, "{}", fullRow, 12_345, "2026-11-25 08:42:25.648+00");
    }
}
