package io.bronzecdc.spark.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.bronzecdc.model.ExitCode;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.spark.job.RunOutcome;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The figures of the driver's micro-batch runs, for Spark's metrics system ({@link BronzeMetricsPlugin} registers
 * them; any configured sink, such as {@code PrometheusServlet}, JMX or CSV, reports them under {@code
 * plugin.io.bronzecdc.spark.metrics.BronzeMetricsPlugin}):
 * {@code runs}, {@code failedRuns}, {@code lastExitCode}, {@code lastRunRows}, {@code lastRunMillis} (preparation and
 * processing), {@code lastRunMessages} (pgoutput messages read), {@code lastRunEndEpochMillis}, and per captured table
 * {@code table.<schema.table>.rows}: rows appended by this driver's runs. One instance per driver JVM; the job records,
 * the plugin publishes.
 */
public final class RunMetrics {
    private static final RunMetrics DRIVER = new RunMetrics();

    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong failedRuns = new AtomicLong();
    private final AtomicLong lastExitCode = new AtomicLong(-1);
    private final AtomicLong lastRunRows = new AtomicLong();
    private final AtomicLong lastRunMillis = new AtomicLong();
    private final AtomicLong lastRunMessages = new AtomicLong();
    private final AtomicLong lastRunEnd = new AtomicLong();
    private final Map<String, AtomicLong> tableRows = new ConcurrentHashMap<>();
    private volatile MetricRegistry registry;

    RunMetrics() {
    }

    /** The driver's figures. */
    public static RunMetrics driver() {
        return DRIVER;
    }

    /** Publishes the figures in {@code metrics} (the plugin's registry); tables seen later are added as they come. */
    synchronized void bind(MetricRegistry metrics) {
        registry = metrics;
        gauge("runs", runs);
        gauge("failedRuns", failedRuns);
        gauge("lastExitCode", lastExitCode);
        gauge("lastRunRows", lastRunRows);
        gauge("lastRunMillis", lastRunMillis);
        gauge("lastRunMessages", lastRunMessages);
        gauge("lastRunEndEpochMillis", lastRunEnd);
        tableRows.forEach((table, rows) -> gauge(tableMetric(table), rows));
    }

    /** A run that committed: its rows per table, messages and time. */
    public synchronized void recordSuccess(RunOutcome outcome) {
        runs.incrementAndGet();
        lastExitCode.set(ExitCode.SUCCESS.code());
        lastRunRows.set(outcome.total());
        lastRunMillis.set(outcome.preparation().plus(outcome.processing()).toMillis());
        lastRunMessages.set(outcome.messages());
        lastRunEnd.set(System.currentTimeMillis());
        for (Map.Entry<TableId, Long> appended : outcome.appended().entrySet()) {
            String table = appended.getKey().toString();
            AtomicLong rows = tableRows.computeIfAbsent(table, name -> {
                AtomicLong fresh = new AtomicLong();
                if (registry != null) {
                    gauge(tableMetric(name), fresh);
                }
                return fresh;
            });
            rows.addAndGet(appended.getValue());
        }
    }

    /** A run that ended without committing (or without advancing the slot), with its exit code. */
    public synchronized void recordFailure(ExitCode code) {
        runs.incrementAndGet();
        failedRuns.incrementAndGet();
        lastExitCode.set(code.code());
        lastRunEnd.set(System.currentTimeMillis());
    }

    private static String tableMetric(String table) {
        return "table." + table + ".rows";
    }

    private void gauge(String name, AtomicLong value) {
        if (!registry.getGauges().containsKey(name)) {
            registry.register(name, (Gauge<Long>) value::get);
        }
    }
}
