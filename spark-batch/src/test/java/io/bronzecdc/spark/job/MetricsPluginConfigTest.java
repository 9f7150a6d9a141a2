package io.bronzecdc.spark.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MetricsPluginConfigTest {
    private static final String OURS = "io.bronzecdc.spark.metrics.BronzeMetricsPlugin";

    @Test
    void addsTheMetricsPluginAfterTheConfiguredOnesOnce() {
        assertThat(MicroBatchJob.withMetricsPlugin("")).isEqualTo(OURS);
        assertThat(MicroBatchJob.withMetricsPlugin("com.example.A, com.example.B"))
                .isEqualTo("com.example.A,com.example.B," + OURS);
        assertThat(MicroBatchJob.withMetricsPlugin("com.example.A," + OURS)).isEqualTo("com.example.A," + OURS);
    }
}
