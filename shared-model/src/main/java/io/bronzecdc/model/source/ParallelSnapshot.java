package io.bronzecdc.model.source;

import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SourceConnections;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an exported snapshot with several connections at once and hands every row to one consumer on the calling
 * thread. Each reader connection imports the snapshot ({@link ExportedSnapshot#importInto}), so all of them see
 * exactly the same rows; the tables are split into {@link SnapshotChunk}s ({@link SnapshotPlan}), which the readers
 * take largest first. Each reader encodes its rows (the costly part) and converts them with {@code convert} on its
 * own thread, and passes them in batches through a bounded queue: at most {@code queueBatches} batches of
 * {@code batchRows} rows wait, whatever the table's size, and a reader waits while the consumer is behind.
 *
 * <p>Rows of one table come in no particular order, and rows of different tables interleave: a consumer that needs
 * an order must not use this. The call returns when every chunk is read and handed over, or throws the first
 * failure of a reader (the others stop); it never returns part of the snapshot as if whole.
 */
public final class ParallelSnapshot {
    private static final Logger LOG = LoggerFactory.getLogger(ParallelSnapshot.class);
    private static final long STOP_WAIT_MILLIS = 30_000;

    /**
     * How to read.
     *
     * @param readers reader connections, at least 1 (fewer are opened when there are fewer chunks)
     * @param pagesPerChunk heap pages per chunk ({@link SnapshotPlan})
     * @param batchRows rows per batch handed over
     * @param queueBatches batches that may wait for the consumer
     */
    public record Options(int readers, long pagesPerChunk, int batchRows, int queueBatches) {
        /** The system property that sets {@link #readers} ({@code -Dbronze.snapshot.readers=4}). */
        public static final String READERS_PROPERTY = "bronze.snapshot.readers";
        /** The system property that sets {@link #pagesPerChunk}. */
        public static final String PAGES_PROPERTY = "bronze.snapshot.chunk-pages";
        private static final int MAX_DEFAULT_READERS = 8;

        public Options {
            if (readers < 1 || pagesPerChunk < 1 || batchRows < 1 || queueBatches < 1) {
                throw new IllegalArgumentException("snapshot readers, pages per chunk, batch rows and queued batches"
                        + " must each be at least 1, got " + readers + ", " + pagesPerChunk + ", " + batchRows + ", "
                        + queueBatches);
            }
        }

        /**
         * The readers of {@value #READERS_PROPERTY} (default: the JVM's processors, at least 2 and at most 8; at
         * least 1), chunks of {@value #PAGES_PROPERTY} pages (default {@link SnapshotPlan#DEFAULT_PAGES_PER_CHUNK}),
         * batches of 1,000 rows and two queued batches per reader.
         *
         * @throws IllegalArgumentException naming the property when a value is not a positive whole number
         */
        public static Options fromSystemProperties() {
            int readers = (int) positive(READERS_PROPERTY, Math.min(MAX_DEFAULT_READERS,
                    Math.max(2, Runtime.getRuntime().availableProcessors())));
            long pages = positive(PAGES_PROPERTY, SnapshotPlan.DEFAULT_PAGES_PER_CHUNK);
            return new Options(readers, pages, 1_000, 2 * readers);
        }

        private static long positive(String property, long defaultValue) {
            String text = System.getProperty(property);
            if (text == null || text.isBlank()) {
                return defaultValue;
            }
            try {
                long value = Long.parseLong(text.trim());
                if (value >= 1 && value <= Integer.MAX_VALUE) {
                    return value;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("-D" + property + "=" + text + " is not a whole number from 1 to "
                    + Integer.MAX_VALUE + "; set it to how many (or leave it out for the default " + defaultValue
                    + ")");
        }
    }

    private ParallelSnapshot() {
    }

    /**
     * Reads every row of {@code tables} in {@code exported}'s snapshot, converts each with {@code convert} (on a
     * reader thread) and hands it to {@code sink} (on this thread).
     *
     * @return the number of rows handed over
     */
    public static <T> long read(SourceConnections connections, ExportedSnapshot exported, List<TableId> tables,
            Options options, Function<ChangeEvent, T> convert, Consumer<T> sink)
            throws SQLException, InterruptedException {
        List<Connection> opened = new ArrayList<>();
        try {
            Connection first = connections.open("snapshot reader 1");
            opened.add(first);
            exported.importInto(first);
            List<SnapshotChunk> chunks = SnapshotPlan.chunks(first, tables, options.pagesPerChunk());
            int readers = Math.max(1, Math.min(options.readers(), chunks.size()));
            for (int i = 2; i <= readers; i++) {
                Connection c = connections.open("snapshot reader " + i);
                opened.add(c);
                exported.importInto(c);
            }
            LOG.info("Reading the snapshot of {} tables in {} chunks with {} connections", tables.size(),
                    chunks.size(), readers);
            Run<T> run = new Run<>(exported, chunks, options, convert);
            List<Connection> handed = List.copyOf(opened);
            opened.clear(); // the readers close their connections
            return run.drain(handed, sink);
        } finally {
            for (Connection c : opened) {
                closeQuietly(c);
            }
        }
    }

    /** One read: the chunks still to read, the queue of batches and the readers' state. */
    private static final class Run<T> {
        private final ExportedSnapshot exported;
        private final Queue<SnapshotChunk> chunks;
        private final Options options;
        private final Function<ChangeEvent, T> convert;
        private final BlockingQueue<List<T>> batches;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicInteger running = new AtomicInteger();
        private volatile boolean stopped;

        Run(ExportedSnapshot exported, List<SnapshotChunk> chunks, Options options, Function<ChangeEvent, T> convert) {
            this.exported = exported;
            this.chunks = new ConcurrentLinkedQueue<>(chunks);
            this.options = options;
            this.convert = convert;
            this.batches = new ArrayBlockingQueue<>(options.queueBatches());
        }

        long drain(List<Connection> connections, Consumer<T> sink) throws SQLException, InterruptedException {
            List<Thread> threads = new ArrayList<>();
            running.set(connections.size());
            for (int i = 0; i < connections.size(); i++) {
                Connection c = connections.get(i);
                Thread thread = new Thread(() -> readChunks(c), "snapshot-reader-" + (threads.size() + 1) + " "
                        + exported.slotName());
                thread.setDaemon(true);
                threads.add(thread);
            }
            long rows = 0;
            try {
                threads.forEach(Thread::start);
                while (true) {
                    List<T> batch = batches.poll(100, TimeUnit.MILLISECONDS);
                    if (batch != null) {
                        for (T row : batch) {
                            sink.accept(row);
                        }
                        rows += batch.size();
                    } else if (failure.get() != null) {
                        break;
                    } else if (running.get() == 0 && batches.isEmpty()) {
                        break;
                    }
                }
            } finally {
                stopped = true;
                awaitStopped(threads);
            }
            Throwable failed = failure.get();
            if (failed != null) {
                if (failed instanceof SQLException e) {
                    throw e;
                }
                if (failed instanceof RuntimeException e) {
                    throw e;
                }
                if (failed instanceof Error e) {
                    throw e;
                }
                throw new IllegalStateException("a snapshot reader failed: " + failed, failed);
            }
            return rows;
        }

        private void readChunks(Connection connection) {
            try (connection) {
                Batcher batcher = new Batcher();
                SnapshotChunk chunk;
                while (!stopped && (chunk = chunks.poll()) != null) {
                    long rows = SnapshotReader.read(connection, chunk, exported.consistentPoint(), batcher);
                    LOG.debug("Snapshot chunk {}: {} rows", chunk, rows);
                }
                batcher.flush();
                connection.rollback();
            } catch (Stopped e) {
                // the consumer stopped the read, or another reader failed
            } catch (Throwable e) {
                if (!failure.compareAndSet(null, e)) {
                    failure.get().addSuppressed(e);
                }
                stopped = true;
            } finally {
                running.decrementAndGet();
            }
        }

        private void awaitStopped(List<Thread> threads) {
            long deadline = System.currentTimeMillis() + STOP_WAIT_MILLIS;
            boolean interrupted = false;
            for (Thread thread : threads) {
                while (thread.isAlive() && System.currentTimeMillis() < deadline) {
                    try {
                        thread.join(Math.max(1, deadline - System.currentTimeMillis()));
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (thread.isAlive()) {
                    LOG.warn("Snapshot reader {} did not stop within {} s; leaving it (a daemon thread)",
                            thread.getName(), STOP_WAIT_MILLIS / 1000);
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        /** Collects converted rows into batches and queues each full one, waiting while the queue is full. */
        private final class Batcher implements Consumer<ChangeEvent> {
            private List<T> batch = new ArrayList<>(options.batchRows());

            @Override
            public void accept(ChangeEvent change) {
                batch.add(convert.apply(change));
                if (batch.size() >= options.batchRows()) {
                    flush();
                }
            }

            void flush() {
                if (batch.isEmpty()) {
                    return;
                }
                try {
                    while (!batches.offer(batch, 100, TimeUnit.MILLISECONDS)) {
                        if (stopped) {
                            throw new Stopped();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Stopped();
                }
                batch = new ArrayList<>(options.batchRows());
            }
        }
    }

    /** Ends a reader that was asked to stop. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super("stopped", null, false, false);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("Closing a snapshot reader connection failed: {}", e.toString());
        }
    }
}
