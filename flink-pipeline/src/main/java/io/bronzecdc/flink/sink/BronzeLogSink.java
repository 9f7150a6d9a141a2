package io.bronzecdc.flink.sink;

import io.bronzecdc.flink.source.CapturedChange;
import java.io.IOException;
import java.time.Duration;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The bronze sink of the pgoutput source: exactly once without {@code PREPARE TRANSACTION}, with latency that does not
 * depend on the checkpoint interval. Its input is keyed by table, in commit order, with a
 * {@link CapturedChange#TRANSACTION_END} after each table's part of a source transaction and after each table's
 * snapshot.
 *
 * <p>Each subtask gives its tables' changes their lsn and writes them by COPY into one open PostgreSQL transaction,
 * which it commits at a source transaction's end once {@code commitInterval} has passed since its last commit (a
 * timer commits a quiet pipeline's last transactions), and at every checkpoint barrier. A source transaction's
 * changes to a table therefore become visible at once, in lsn order, whatever its size: one that outgrows the
 * buffer is written ahead into a database transaction of its own, which commits at its end, however many
 * checkpoints pass meanwhile.
 *
 * <p>Every commit also records, per table, the lsn and the stream position it reached
 * ({@code bronze_log_progress}, {@link LogProgress}). The source replays the stream from its checkpoint after a
 * restore, whole transactions only, and the writer skips what the progress covers. Bronze, not the checkpoint, is
 * the truth of what was written, so no two-phase commit is needed and the server may have
 * {@code max_prepared_transactions = 0}, as managed services do. The checkpoint bounds the replay: the source
 * confirms the slot only up to what the completed checkpoint covers, which this sink committed at the barrier.
 */
public final class BronzeLogSink implements Sink<CapturedChange> {
    private static final long serialVersionUID = 1L;

    private final BronzeSink.Settings settings;
    private final SlotWatch slot;
    private final Duration commitInterval;

    /**
     * @param slot the pipeline's replication slot, whose retained WAL subtask 0 reports; null for none
     * @param commitInterval the least time between two commits of one subtask while changes keep arriving
     */
    public BronzeLogSink(BronzeSink.Settings settings, SlotWatch slot, Duration commitInterval) {
        this.settings = settings;
        this.slot = slot;
        this.commitInterval = commitInterval;
        if (commitInterval.isNegative()) {
            throw new IllegalArgumentException("commitInterval must not be negative but was " + commitInterval);
        }
    }

    @Override
    @Deprecated
    public SinkWriter<CapturedChange> createWriter(InitContext context) {
        throw new UnsupportedOperationException("Flink 1.20 creates writers through createWriter(WriterInitContext)");
    }

    @Override
    public SinkWriter<CapturedChange> createWriter(WriterInitContext context) throws IOException {
        return BronzeLogWriter.open(settings, slot, commitInterval, context);
    }
}
