package io.bronzecdc.spark.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.bronzecdc.model.ExitCode;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.spark.job.RunOutcome;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunMetricsTest {
    @Test
    void publishesEachRunsFiguresAndTheRowsPerTableAcrossRuns() {
        RunMetrics metrics = new RunMetrics();
        MetricRegistry registry = new MetricRegistry();
        metrics.recordSuccess(outcome(Map.of(TableId.of("customer"), 599L, TableId.of("payment"), 10L)));
        metrics.bind(registry);
        metrics.recordFailure(ExitCode.ANOTHER_RUN_ACTIVE);
        metrics.recordSuccess(outcome(Map.of(TableId.of("payment"), 5L, TableId.parse("\"Sales\".\"Orders\""), 2L)));

        assertThat(value(registry, "runs")).isEqualTo(3L);
        assertThat(value(registry, "failedRuns")).isEqualTo(1L);
        assertThat(value(registry, "lastExitCode")).isEqualTo(0L);
        assertThat(value(registry, "lastRunRows")).isEqualTo(7L);
        assertThat(value(registry, "lastRunMillis")).isEqualTo(30L);
        assertThat(value(registry, "table.public.customer.rows")).isEqualTo(599L);
        assertThat(value(registry, "table.public.payment.rows")).isEqualTo(15L);
        assertThat(value(registry, "table.\"Sales\".\"Orders\".rows")).isEqualTo(2L);
    }

    private static Object value(MetricRegistry registry, String name) {
        assertThat(registry.getGauges()).containsKey(name);
        return registry.getGauges().get(name).getValue();
    }

    private static RunOutcome outcome(Map<TableId, Long> appended) {
        return new RunOutcome(false, appended, 0, PgLsn.of(1), PgLsn.of(2), 3, Duration.ofMillis(10),
                Duration.ofMillis(20), Duration.ofMillis(5), "no rows read, encoded or staged", null);
    }
}
