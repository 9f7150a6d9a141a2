package io.bronzecdc.flink;

import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.RestartStrategyOptions;

/**
 * How the job restarts after a failure, set by the job itself so that it holds on any cluster: exponential delay
 * from 1 s doubling up to 1 min (with 10 % jitter), the delay reset after 10 minutes without a failure, and at most
 * {@value #ATTEMPTS} attempts in a row before the job fails for good.
 *
 * <p>Why: every restart resumes from the last completed checkpoint and is exactly once, so transient faults (a
 * source restart or failover, a network cut, a lost TaskManager that comes back) heal without a person, and the
 * growing delay keeps a down database from being hammered. A fault that does not heal (a changed password, a dropped
 * slot) ends as FAILED with its cause after about 20 minutes of trying, instead of restarting forever behind a job
 * that looks alive (Flink's own default since 1.19 is exponential delay without a bound). A Flink configuration
 * that names its own {@code restart-strategy.type} (the cluster's config file, {@code flink run -D...}) wins.
 */
public final class RecoveryPolicy {
    /** Failed attempts in a row (without 10 minutes of healthy running between them) before the job fails. */
    static final int ATTEMPTS = 25;

    private RecoveryPolicy() {
    }

    /** The restart options to apply on top of {@code given}: none when {@code given} names a strategy. */
    public static Configuration restartStrategy(ReadableConfig given) {
        Configuration restart = new Configuration();
        if (given.getOptional(RestartStrategyOptions.RESTART_STRATEGY).isPresent()) {
            return restart;
        }
        restart.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        restart.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF, Duration.ofSeconds(1));
        restart.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, Duration.ofMinutes(1));
        restart.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER, 2.0);
        restart.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR, 0.1);
        restart.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD,
                Duration.ofMinutes(10));
        restart.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, ATTEMPTS);
        return restart;
    }
}
