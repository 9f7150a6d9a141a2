package io.bronzecdc.flink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The asked and achieved rates as the demo prints them (the first demo printed the asked rate only). */
class WorkloadRateTest {
    @Test
    void shouldSayClearlyWhenTheWorkloadFellShort() {
        WorkloadRate rate = new WorkloadRate(2000, 2_800, 7_000, 8.0, 8, 3);
        assertThat(rate.achieved()).isEqualTo(350.0);
        assertThat(rate.fellShort()).isTrue();
        assertThat(rate.brief()).isEqualTo("350 tx/s achieved of 2,000 asked");
        assertThat(rate.describe()).isEqualTo("2,800 transactions (7,000 changes) in 8.00 s on 8 connections:"
                + " 350 tx/s achieved of 2,000 asked (3 rolled back by deadlocks, not counted); FELL SHORT of the"
                + " asked rate (18%): this machine could not commit faster on 8 connections while the job ran");
    }

    @Test
    void shouldNotCallARateShortWhenItIsReached() {
        WorkloadRate rate = new WorkloadRate(200, 600, 1_512, 3.0, 2, 0);
        assertThat(rate.fellShort()).isFalse();
        assertThat(rate.describe()).isEqualTo("600 transactions (1,512 changes) in 3.00 s on 2 connections:"
                + " 200 tx/s achieved of 200 asked");
    }

    @Test
    void shouldCountAWorkloadAt95PercentAsReached() {
        assertThat(new WorkloadRate(100, 95, 200, 1.0, 1, 0).fellShort()).isFalse();
        assertThat(new WorkloadRate(100, 94, 200, 1.0, 1, 0).fellShort()).isTrue();
    }

    @Test
    void shouldUseEnoughConnectionsForTheAskedRateUpToTheCap() {
        assertThat(new LiveWorkload.Plan(1, java.time.Duration.ofSeconds(1), 1).connections()).isEqualTo(1);
        assertThat(new LiveWorkload.Plan(1, java.time.Duration.ofSeconds(1), 200).connections()).isEqualTo(2);
        assertThat(new LiveWorkload.Plan(1, java.time.Duration.ofSeconds(1), 100_000).connections())
                .isEqualTo(LiveWorkload.MAX_CONNECTIONS);
    }
}
