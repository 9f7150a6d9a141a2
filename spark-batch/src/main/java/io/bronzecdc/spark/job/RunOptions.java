package io.bronzecdc.spark.job;

import java.time.Duration;
import java.util.Objects;

/**
 * How one micro-batch run behaves, apart from the pipeline config.
 *
 * @param chunkSize bronze rows per JDBC batch inside the run's single bronze transaction
 * @param connectRetries how often to retry when the source cannot be reached (default 2)
 * @param retryDelay how long to wait before each retry (default 2 minutes)
 * @param hooks called at each {@link RunPoint}; {@link RunHooks#NONE} outside tests
 */
public record RunOptions(int chunkSize, int connectRetries, Duration retryDelay, RunHooks hooks) {
    public RunOptions {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be >= 1 but was " + chunkSize);
        }
        if (connectRetries < 0) {
            throw new IllegalArgumentException("connectRetries must be >= 0 but was " + connectRetries);
        }
        Objects.requireNonNull(retryDelay, "retryDelay");
        Objects.requireNonNull(hooks, "hooks");
    }

    /** Chunks of 10,000 rows, 2 retries 2 minutes apart, no hooks. */
    public static RunOptions defaults() {
        return new RunOptions(10_000, 2, Duration.ofMinutes(2), RunHooks.NONE);
    }

    public RunOptions withHooks(RunHooks newHooks) {
        return new RunOptions(chunkSize, connectRetries, retryDelay, newHooks);
    }

    public RunOptions withChunkSize(int size) {
        return new RunOptions(size, connectRetries, retryDelay, hooks);
    }

    public RunOptions withRetries(int retries, Duration delay) {
        return new RunOptions(chunkSize, retries, delay, hooks);
    }
}
