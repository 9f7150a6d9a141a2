package io.bronzecdc.spark.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bronzecdc.model.validate.Check;
import io.bronzecdc.model.validate.TableStats;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.model.validate.Violation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The summary condenses the report exactly: counts, the lag alert and the tables behind it. */
class MetricsSummaryTest {
    private static final List<TableStats> TABLES = List.of(
            stats("customer", 600), stats("payment", 16_053), stats("rental", 16_044));

    @Test
    void shouldSummariseAPassingReport() throws Exception {
        ValidationReport report = new ValidationReport("cdc_bronze", Instant.EPOCH, TABLES, List.of(), Optional.empty());
        MetricsSummary summary = MetricsSummary.of(report, Duration.ofMinutes(10));

        assertThat(summary.toText()).isEqualTo(String.join("\n",
                "=== CDC metrics summary ===",
                "schema:           cdc_bronze",
                "tables processed: 3",
                "total rows:       32697",
                "lag alert:        no (threshold 10m)",
                "lagging tables:   none",
                "checks:           PASSED",
                ""));
        JsonNode json = new ObjectMapper().readTree(summary.toJson(report));
        assertThat(json.get("passed").asBoolean()).isTrue();
        assertThat(json.get("tables")).hasSize(3);
        assertThat(json.get("summary").toString()).isEqualTo("{\"tables_processed\":3,\"total_rows\":32697,"
                + "\"lag_alert\":false,\"lagging_tables\":[],\"lag_threshold_seconds\":600.0}");
    }

    @Test
    void shouldRaiseTheLagAlertNamingTheLaggingTables() throws Exception {
        ValidationReport report = new ValidationReport("cdc_flink", Instant.EPOCH, TABLES, List.of(
                new Violation("payment", Check.LSN_DENSE, 1, "lsn 5 is missing"),
                new Violation("rental", Check.LAG, 1, "last load 3600 s ago"),
                new Violation("customer", Check.LAG, 1, "last load 3700 s ago")), Optional.empty());
        MetricsSummary summary = MetricsSummary.of(report, Duration.ofMinutes(30));

        assertThat(summary.lagAlert()).isTrue();
        assertThat(summary.toText()).contains("lag alert:        yes (threshold 30m)\n")
                .contains("lagging tables:   rental, customer\n").contains("checks:           FAILED (3 violations)");
        JsonNode json = new ObjectMapper().readTree(summary.toJson(report)).get("summary");
        assertThat(json.get("lag_alert").asBoolean()).isTrue();
        assertThat(json.get("lagging_tables").toString()).isEqualTo("[\"rental\",\"customer\"]");
    }

    private static TableStats stats(String table, long rows) {
        return new TableStats(table, rows, new TableStats.LsnRange(1, rows, rows),
                new TableStats.OpMix(rows, 0, 0), 0, Duration.ofSeconds(1), 0.0);
    }
}
