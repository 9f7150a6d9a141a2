package io.bronzecdc.spark.validate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bronzecdc.model.config.DurationSyntax;
import io.bronzecdc.model.validate.Check;
import io.bronzecdc.model.validate.TableStats;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.model.validate.Violation;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The seed's "CDC metrics summary" of one validation: how many tables were processed, how many bronze rows they
 * hold, and whether any of them lags behind the threshold. Derived from a {@link ValidationReport}, which stays
 * the source of truth; this only condenses it for people and adds the same fields to the report's JSON.
 *
 * @param schema the bronze schema validated
 * @param tablesProcessed bronze tables validated
 * @param totalRows rows over all of them
 * @param lagThreshold the threshold the lag check used
 * @param laggingTables tables whose last load is older than {@code lagThreshold} (the {@link Check#LAG}
 *     violations), in report order
 * @param passed whether every check passed
 * @param violations how many checks failed
 */
public record MetricsSummary(String schema, int tablesProcessed, long totalRows, Duration lagThreshold,
        List<String> laggingTables, boolean passed, int violations) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public MetricsSummary {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(lagThreshold, "lagThreshold");
        laggingTables = List.copyOf(laggingTables);
    }

    /** The summary of {@code report}, validated with {@code lagThreshold}. */
    public static MetricsSummary of(ValidationReport report, Duration lagThreshold) {
        return new MetricsSummary(report.schema(), report.tables().size(),
                report.tables().stream().mapToLong(TableStats::rows).sum(), lagThreshold,
                report.violationsOf(Check.LAG).stream().map(Violation::table).toList(), report.passed(),
                report.violations().size());
    }

    /** Whether any table lags: the seed's "lag alert". */
    public boolean lagAlert() {
        return !laggingTables.isEmpty();
    }

    /** The block for people, one {@code name: value} line per metric. */
    public String toText() {
        return String.join("\n",
                "=== CDC metrics summary ===",
                "schema:           " + schema,
                "tables processed: " + tablesProcessed,
                "total rows:       " + totalRows,
                "lag alert:        " + (lagAlert() ? "yes" : "no") + " (threshold "
                        + DurationSyntax.format(lagThreshold) + ")",
                "lagging tables:   " + (lagAlert() ? String.join(", ", laggingTables) : "none"),
                "checks:           " + (passed ? "PASSED" : "FAILED (" + violations + " violations)"),
                "");
    }

    /**
     * {@link ValidationReport#toJson()} of {@code report} with this summary added under {@code "summary"}:
     * {@code tables_processed}, {@code total_rows}, {@code lag_alert}, {@code lagging_tables},
     * {@code lag_threshold_seconds}.
     */
    public String toJson(ValidationReport report) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(report.toJson());
            ObjectNode summary = root.putObject("summary");
            summary.put("tables_processed", tablesProcessed);
            summary.put("total_rows", totalRows);
            summary.put("lag_alert", lagAlert());
            ArrayNode lagging = summary.putArray("lagging_tables");
            laggingTables.forEach(lagging::add);
            summary.put("lag_threshold_seconds", lagThreshold.toMillis() / 1000.0);
            return root.toString();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException("ValidationReport.toJson() of schema " + report.schema()
                    + " is not valid JSON", e);
        }
    }
}
