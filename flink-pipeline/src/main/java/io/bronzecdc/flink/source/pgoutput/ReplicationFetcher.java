package io.bronzecdc.flink.source.pgoutput;

import io.bronzecdc.flink.source.CapturedChange;
import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.SourcePosition;
import io.bronzecdc.model.event.TableEvent;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.event.UpdateRule;
import io.bronzecdc.model.pgoutput.PgOutputDecoder;
import io.bronzecdc.model.pgoutput.PgOutputMessage;
import io.bronzecdc.model.pgoutput.PgOutputParser;
import io.bronzecdc.model.postgres.SourceConnections;
import io.bronzecdc.model.source.PgTypeCatalog;
import io.bronzecdc.model.source.SnapshotHandover;
import io.bronzecdc.model.source.SourceCatalog;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.util.ExceptionUtils;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that owns the replication connection: reads the slot from a start position ({@code readPending} in a
 * loop, parking briefly when nothing is pending), decodes each message with the shared {@link PgOutputDecoder} and
 * puts the results, in batches, on a bounded queue that the reader drains on the task thread. Decoding here lets
 * the reader's task thread and this one work at once.
 *
 * <p>The slot's confirmed position is only ever set to what the reader {@link #confirm confirms} (the restart
 * position of a completed checkpoint); pgjdbc sends it with its periodic status update. pgjdbc 42.7 moves the
 * flushed position to a keepalive's server position by itself once everything received was confirmed; this
 * class puts it back after every read, so the slot never moves past what a completed checkpoint covers. The
 * reader gets those positions as {@link StreamItem.Position} items instead, and confirms them through a checkpoint
 * like any other: an idle pipeline still lets the slot advance.
 */
final class ReplicationFetcher implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationFetcher.class);
    static final int BATCH_SIZE = 1024;
    static final int QUEUE_BATCHES = 32;
    private static final long PROGRESS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long STATUS_WHILE_BLOCKED_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final SlotEndpoint endpoint;
    private final List<TableId> tables;
    private final Map<String, SnapshotHandover> handovers;
    private final long startLsn;
    private final long wakeNanos;
    private final BlockingQueue<List<StreamItem>> queue = new ArrayBlockingQueue<>(QUEUE_BATCHES);
    private final Object availability = new Object();
    private CompletableFuture<Void> available = new CompletableFuture<>();
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile long confirmed;
    private volatile Thread thread;

    private List<StreamItem> batch = new ArrayList<>(BATCH_SIZE);
    private final List<TableEvent> events = new ArrayList<>();
    private long enqueuedPosition;
    private long eventIndex = -1;
    private long eventsAtIndex;
    private long decodedChanges;
    private long messages;

    /**
     * @param tables the captured tables; changes of other published tables are dropped
     * @param handovers the pending handovers of tables brought in late: their changes that the table's snapshot
     *     holds are dropped ({@link PgOutputDecoder.SkipRule})
     * @param startLsn where the stream starts (the split's restart position); confirmed as is
     * @param wake how often to wake the reader while nothing arrives (so that it can look for new tables)
     */
    ReplicationFetcher(SlotEndpoint endpoint, List<TableId> tables, Map<String, SnapshotHandover> handovers,
            long startLsn, Duration wake) {
        this.endpoint = endpoint;
        this.tables = List.copyOf(tables);
        this.handovers = Map.copyOf(handovers);
        this.startLsn = startLsn;
        this.wakeNanos = wake.toNanos();
        this.confirmed = startLsn;
        this.enqueuedPosition = startLsn;
    }

    void start(String name) {
        Thread t = new Thread(this, name);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** The next batch, or null when none is ready; rethrows the fetcher's failure once the queue is drained. */
    List<StreamItem> poll() {
        List<StreamItem> next = queue.poll();
        if (next == null && failure != null) {
            throw failed(endpoint.slot(), failure);
        }
        return next;
    }

    /**
     * What the reader throws for the fetcher's {@code failure}. A {@link ContractViolationException} (a change the
     * decoder refuses, such as an unchanged-TOAST value without a whole old row) fails the job for good, inside
     * Flink's {@link SuppressRestartsException}: a restart reads the same change again and refuses it again, so the
     * restart strategy would only retry it for about 20 minutes behind a job that looks alive. Anything else (a
     * lost connection, a server restart) may heal, so the restart strategy retries it.
     */
    static RuntimeException failed(String slot, Throwable failure) {
        IllegalStateException error = new IllegalStateException("reading replication slot " + slot + " failed: "
                + failure.getMessage(), failure);
        return ExceptionUtils.findThrowable(failure, ContractViolationException.class).isPresent()
                ? new SuppressRestartsException(error) : error;
    }

    /** Completes when a batch is queued or the fetcher failed. */
    CompletableFuture<Void> available() {
        synchronized (availability) {
            if (!queue.isEmpty() || failure != null) {
                return CompletableFuture.completedFuture(null);
            }
            if (available.isDone()) {
                available = new CompletableFuture<>();
            }
            return available;
        }
    }

    int queuedBatches() {
        return queue.size();
    }

    /** Lets the slot advance to {@code lsn} (never backwards); sent with the next status update. */
    void confirm(long lsn) {
        if (lsn > confirmed) {
            confirmed = lsn;
        }
    }

    /** Stops the thread and waits for it, which closes the connections. */
    void stop() throws InterruptedException {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    @Override
    public void run() {
        SourceConnections connections = endpoint.connections();
        try (Connection catalog = connections.open("catalog");
                Connection replication = connections.openReplication("stream")) {
            Map<TableId, UpdateRule> rules = SourceCatalog.updateRules(catalog, tables);
            PgOutputDecoder.SkipRule skip = handovers.isEmpty() ? PgOutputDecoder.SkipRule.NONE
                    : (table, xid, commitLsn) -> {
                        SnapshotHandover handover = handovers.get(table.toString());
                        return handover != null && handover.holds(xid, commitLsn);
                    };
            PgOutputDecoder decoder = new PgOutputDecoder(rules::containsKey, new PgTypeCatalog(catalog), rules::get,
                    events::add, skip);
            PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI()
                    .replicationStream().logical()
                    .withSlotName(endpoint.slot())
                    .withStartPosition(LogSequenceNumber.valueOf(startLsn))
                    .withSlotOption("proto_version", "1")
                    .withSlotOption("publication_names", endpoint.publication())
                    .withSlotOption("messages", "true")
                    .withStatusInterval(1, TimeUnit.SECONDS)
                    .start();
            LOG.info("Streaming slot {} from {} (publication {}, {} tables{})", endpoint.slot(), PgLsn.of(startLsn),
                    endpoint.publication(), tables.size(), handovers.isEmpty() ? ""
                            : ", handing over from the snapshots of " + handovers);
            read(stream, decoder);
            // The last confirmation (a savepoint's, when the job stops with one) would otherwise wait for the next
            // periodic status update, which a closing stream never sends: the slot would keep more WAL than needed.
            holdConfirmation(stream);
            stream.forceUpdateStatus();
            stream.close();
        } catch (Throwable e) {
            if (running) {
                failure = e;
                LOG.error("Reading replication slot {} failed", endpoint.slot(), e);
            }
        } finally {
            signal();
        }
    }

    private void read(PGReplicationStream stream, PgOutputDecoder decoder) throws Exception {
        long progressAt = System.nanoTime();
        long progressChanges = 0;
        long wakeAt = System.nanoTime() + wakeNanos;
        while (running) {
            ByteBuffer data = stream.readPending();
            holdConfirmation(stream);
            if (data == null) {
                if (!decoder.inTransaction()) {
                    long server = stream.getLastReceiveLSN().asLong();
                    if (server > enqueuedPosition) {
                        batch.add(new StreamItem.Position(server));
                        enqueuedPosition = server;
                    }
                }
                flush(stream);
                if (System.nanoTime() - wakeAt >= 0) {
                    signal();
                    wakeAt = System.nanoTime() + wakeNanos;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            } else {
                messages++;
                decode(decoder, stream.getLastReceiveLSN().asLong(), data);
                if (batch.size() >= BATCH_SIZE) {
                    flush(stream);
                }
            }
            long now = System.nanoTime();
            if (now - progressAt >= PROGRESS_INTERVAL_NANOS) {
                long delta = decodedChanges - progressChanges;
                LOG.info("Slot {}: received up to {}, {} changes decoded (+{} in {} s), confirmed {}, queue {} of {}"
                        + " batches", endpoint.slot(), stream.getLastReceiveLSN(), decodedChanges, delta,
                        TimeUnit.NANOSECONDS.toSeconds(now - progressAt), PgLsn.of(confirmed), queue.size(),
                        QUEUE_BATCHES);
                progressAt = now;
                progressChanges = decodedChanges;
            }
        }
    }

    private void decode(PgOutputDecoder decoder, long lsn, ByteBuffer data) {
        char kind = (char) data.get(data.position());
        PgLsn at = PgLsn.of(lsn);
        if (kind == 'C') {
            PgOutputMessage.Commit commit = (PgOutputMessage.Commit) PgOutputParser.parse(data);
            decoder.decode(at, commit);
            batch.add(new StreamItem.Commit(commit.commitLsn().asLong(), commit.endLsn().asLong()));
            enqueuedPosition = Math.max(enqueuedPosition, commit.endLsn().asLong());
            return;
        }
        if (kind == 'B') {
            eventIndex = -1;
            eventsAtIndex = 0;
        }
        events.clear();
        List<ChangeEvent> changes = decoder.decode(at, data);
        for (TableEvent event : events) {
            long index = event.position().indexInTransaction();
            eventsAtIndex = index == eventIndex ? eventsAtIndex + 1 : 0;
            eventIndex = index;
            long key = (2 * index) * 256 + eventsAtIndex;
            batch.add(new StreamItem.Change(CapturedChange.of(event, key), event.position().commitLsn().asLong(),
                    key));
        }
        for (ChangeEvent change : changes) {
            SourcePosition p = change.position();
            long key = p.indexInTransaction() * 256 + 255;
            batch.add(new StreamItem.Change(new CapturedChange(change.table().toString(), change.op().code(),
                    change.fullRow(), false, p.commitLsn().asLong(), p.changeLsn().asLong(), p.indexInTransaction(),
                    p.txId(), p.commitTime().toEpochMilli(), key), p.commitLsn().asLong(), key));
            decodedChanges++;
        }
    }

    /** pgjdbc may have moved the flushed position on a keepalive; only confirmed positions are sent. */
    private void holdConfirmation(PGReplicationStream stream) {
        LogSequenceNumber lsn = LogSequenceNumber.valueOf(confirmed);
        if (!lsn.equals(stream.getLastFlushedLSN()) || !lsn.equals(stream.getLastAppliedLSN())) {
            stream.setFlushedLSN(lsn);
            stream.setAppliedLSN(lsn);
        }
    }

    /**
     * Queues the batch, waiting while the queue is full; meanwhile it keeps sending status updates, or the server
     * would end the connection after {@code wal_sender_timeout}.
     */
    private void flush(PGReplicationStream stream) throws Exception {
        if (batch.isEmpty()) {
            return;
        }
        long statusAt = System.nanoTime();
        while (running && !queue.offer(batch, 100, TimeUnit.MILLISECONDS)) {
            if (System.nanoTime() - statusAt >= STATUS_WHILE_BLOCKED_NANOS) {
                holdConfirmation(stream);
                stream.forceUpdateStatus();
                statusAt = System.nanoTime();
            }
        }
        batch = new ArrayList<>(BATCH_SIZE);
        signal();
    }

    private void signal() {
        synchronized (availability) {
            available.complete(null);
        }
    }
}
