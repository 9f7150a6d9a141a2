package io.bronzecdc.spark.job;

import io.bronzecdc.model.source.ParallelSnapshot;
import java.time.Duration;
import java.util.Objects;

/**
 * How one micro-batch run behaves, apart from the pipeline config.
 *
 * @param chunkSize bronze rows per JDBC batch of the snapshots of tables new since the last run, which the driver
 *     writes
 * @param connectRetries how often to retry when the source cannot be reached (default 2)
 * @param retryDelay how long to wait before each retry (default 2 minutes)
 * @param hooks called at each {@link RunPoint}; {@link RunHooks#NONE} outside tests
 */
public record RunOptions(int chunkSize, int connectRetries, Duration retryDelay, RunHooks hooks) {
    /** The default of {@link #snapshotChunkPages()}. */
    public static final long SNAPSHOT_CHUNK_PAGES = 1_024;

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

    /**
     * Heap pages per snapshot task: {@code -Dbronze.snapshot.chunk-pages} on the driver, else
     * {@value #SNAPSHOT_CHUNK_PAGES} (8 MiB of table), small enough for a task to hold its chunk's rows.
     */
    public long snapshotChunkPages() {
        String text = System.getProperty(ParallelSnapshot.Options.PAGES_PROPERTY);
        return text == null || text.isBlank() ? SNAPSHOT_CHUNK_PAGES
                : ParallelSnapshot.Options.fromSystemProperties().pagesPerChunk();
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
