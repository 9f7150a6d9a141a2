package io.bronzecdc.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.junit.jupiter.api.Test;

class RecoveryPolicyTest {

    @Test
    void shouldRestartWithABoundedExponentialDelayWhenTheFlinkConfigurationNamesNoStrategy() {
        Configuration restart = RecoveryPolicy.restartStrategy(new Configuration());
        assertThat(restart.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("exponential-delay");
        assertThat(restart.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF))
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(restart.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF))
                .isEqualTo(Duration.ofMinutes(1));
        assertThat(restart.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS)).isEqualTo(25);
    }

    @Test
    void shouldLeaveTheStrategyAnOperatorConfiguredAlone() {
        Configuration given = new Configuration();
        given.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        assertThat(RecoveryPolicy.restartStrategy(given).toMap()).isEmpty();
    }
}
