package io.bronzecdc.spark.metrics;

import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * Publishes the micro-batch runs' figures ({@link RunMetrics}) through Spark's metrics system, on the driver. The job
 * adds it to {@code spark.plugins} itself (after any plugins already configured), so every sink configured with
 * {@code spark.metrics.conf.*} reports them; nothing runs on executors.
 */
public final class BronzeMetricsPlugin implements SparkPlugin {
    @Override
    public DriverPlugin driverPlugin() {
        return new DriverPlugin() {
            @Override
            public void registerMetrics(String appId, PluginContext pluginContext) {
                RunMetrics.driver().bind(pluginContext.metricRegistry());
            }
        };
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return null;
    }
}
