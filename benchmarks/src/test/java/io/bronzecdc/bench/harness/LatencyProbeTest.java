package io.bronzecdc.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.bronzecdc.bench.report.BenchReport.Latency;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Percentiles (nearest rank) and the CDF of the probe's latencies. */
class LatencyProbeTest {
    @Test
    void percentilesAreNearestRankOfTheSortedSamples() {
        // 1..1000 ms, shuffled by a stride that visits every value once
        long[] nanos = LongStream.range(0, 1000).map(i -> ((i * 389) % 1000 + 1) * 1_000_000).toArray();

        Latency latency = LatencyProbe.summarize(nanos);

        assertThat(latency.samples()).isEqualTo(1000);
        assertThat(latency.p50Millis()).isEqualTo(500);
        assertThat(latency.p95Millis()).isEqualTo(950);
        assertThat(latency.p99Millis()).isEqualTo(990);
        assertThat(latency.maxMillis()).isEqualTo(1000);
        assertThat(latency.cdf()).hasSize(200);
        assertThat(latency.cdf().get(0)[0]).isEqualTo(5);
        assertThat(latency.cdf().get(0)[1]).isCloseTo(0.005, within(1e-9));
        assertThat(latency.cdf().get(199)).containsExactly(1000, 1.0);
        for (int i = 1; i < latency.cdf().size(); i++) {
            assertThat(latency.cdf().get(i)[0]).isGreaterThanOrEqualTo(latency.cdf().get(i - 1)[0]);
            assertThat(latency.cdf().get(i)[1]).isGreaterThan(latency.cdf().get(i - 1)[1]);
        }
    }

    @Test
    void oneSampleAndNone() {
        assertThat(LatencyProbe.summarize(new long[0])).isNull();
        Latency one = LatencyProbe.summarize(new long[] {7_500_000});
        assertThat(one.p50Millis()).isEqualTo(7.5);
        assertThat(one.p99Millis()).isEqualTo(7.5);
        assertThat(one.cdf()).hasSize(1);
    }

    @Test
    void copyTextEscapesWhatCopyWouldReadAsStructure() {
        assertThat(MachineCeiling.copyEscaped("a\\b\tc\nd\re")).isEqualTo("a\\\\b\\tc\\nd\\re");
    }
}
