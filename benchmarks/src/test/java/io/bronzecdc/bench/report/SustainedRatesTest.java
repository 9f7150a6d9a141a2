package io.bronzecdc.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.bench.report.BenchReport.Cost;
import io.bronzecdc.bench.report.BenchReport.Latency;
import io.bronzecdc.bench.report.BenchReport.Measurement;
import io.bronzecdc.bench.report.ReportTable.Cell;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sustained live rate is the highest with every change visible and p99 within the lag bound. */
class SustainedRatesTest {
    private static final double DRAIN = 58_000;

    @Test
    void theHighestRateWithinTheLagBoundIsSustainedAndTheBacklogStandsBesideIt() {
        BenchReport report = report(List.of(
                measurement("flink", "backlog", 0, 24_000, null, "ok"),
                measurement("flink", "live", 1_000, 990, 300.0, "ok"),
                measurement("flink", "live", 5_000, 4_900, 1_500.0, "ok"),
                measurement("flink", "live", 20_000, 12_000, 5_000.0, "ok"),
                measurement("debezium", "backlog", 0, 7_000, null, "ok"),
                measurement("debezium", "live", 1_000, 980, 700.0, "ok"),
                measurement("debezium", "live", 5_000, 3_000, 900.0, "timed out after 360 s")));

        ReportTable table = SustainedRates.table(report);

        assertThat(table.rows()).hasSize(2);
        assertThat(texts(table.rows().get(0).cells())).containsExactly("flink", "ours", "same-server",
                "checkpoint 300ms", "24,000", "41.4%", "4,900", "5,000", "1,500", "8.4%");
        assertThat(texts(table.rows().get(1).cells()).subList(0, 8)).containsExactly("debezium", "peer",
                "same-server", "checkpoint 300ms", "7,000", "12.1%", "980", "1,000");
    }

    @Test
    void noRateWithinTheBoundLeavesTheCellEmpty() {
        BenchReport report = report(List.of(measurement("spark", "live", 500, 480, 6_000.0, "ok")));

        List<String> cells = texts(SustainedRates.table(report).rows().get(0).cells());

        assertThat(cells.get(6)).isEqualTo(ReportFormat.MISSING);
        assertThat(cells.get(4)).isEqualTo(ReportFormat.MISSING);
    }

    @Test
    void aMicroBatchScheduleIsBoundedByThreeIntervals() {
        assertThat(SustainedRates.lagBoundMillis("every 5s")).isEqualTo(15_000);
        assertThat(SustainedRates.lagBoundMillis("every 100ms")).isEqualTo(2_000);
        assertThat(SustainedRates.lagBoundMillis("checkpoint 1s")).isEqualTo(2_000);
        assertThat(SustainedRates.lagBoundMillis("every soon")).isEqualTo(2_000);
    }

    private static List<String> texts(List<Cell> cells) {
        return cells.stream().map(Cell::text).toList();
    }

    private static Measurement measurement(String pipeline, String scenario, int offered, double rate, Double p99,
            String outcome) {
        Latency latency = p99 == null ? null : new Latency(100, p99 / 2, p99 * 0.9, p99, p99 * 1.1,
                List.of(new double[] {p99, 1.0}));
        return new Measurement(pipeline, scenario, "same-server", "checkpoint 300ms", offered, 10_000, 10_000 / rate,
                rate, DRAIN, latency, p99 == null ? -1 : p99, new Cost(1L << 30, 10), outcome);
    }

    private static BenchReport report(List<Measurement> measurements) {
        return new BenchReport("smoke", "2026-12-02T00:00:00Z", 1, null, null, List.of(), measurements, List.of(),
                List.of());
    }
}
