package io.bronzecdc.flink.sink;

import io.bronzecdc.flink.sequence.SequencedChange;
import io.bronzecdc.model.bronze.BronzeSchema;
import java.io.IOException;
import java.io.Serializable;
import java.util.Collection;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Exactly-once bronze sink. The rows of one checkpoint go by COPY into one PostgreSQL transaction per writer
 * subtask; at the checkpoint barrier the writer inserts a marker row and runs {@code PREPARE TRANSACTION}, and
 * when the checkpoint completes the committer runs {@code COMMIT PREPARED}. Rows therefore become visible
 * exactly when the sequencer state and the source position that produced them are durable, and a failure rolls
 * back whatever the restored checkpoint does not cover (the server needs {@code max_prepared_transactions > 0}).
 *
 * <p>Prepared transaction ids are {@code bronze-cdc:<sink id>:<subtask>:<n>}; the sink id is unique per
 * pipeline (slot and bronze schema), so two pipelines on one server never touch each other's transactions.
 */
public final class BronzeSink implements Sink<SequencedChange>, SupportsCommitter<String>,
        SupportsWriterState<SequencedChange, Long> {
    private static final long serialVersionUID = 1L;

    private final Settings settings;
    private final SlotWatch slot;

    /** A sink without the slot metric ({@link SinkMetrics#SLOT_RETAINED_WAL_BYTES} stays unregistered). */
    public BronzeSink(Settings settings) {
        this(settings, null);
    }

    /**
     * @param slot the pipeline's replication slot, whose retained WAL the committer's metrics report; null for none
     */
    public BronzeSink(Settings settings, SlotWatch slot) {
        this.settings = settings;
        this.slot = slot;
    }

    /**
     * @param target the bronze database
     * @param schema the bronze schema
     * @param sinkId unique per pipeline, part of every prepared transaction id
     * @param flushBytes COPY buffered rows once they reach this many bytes (inside the open transaction)
     */
    public record Settings(JdbcTarget target, String schema, String sinkId, int flushBytes) implements Serializable {
        public Settings {
            new BronzeSchema(schema);
            // PostgreSQL's transaction ids hold at most 200 bytes: room for the prefix, subtask and counter.
            if (!sinkId.matches("[a-z0-9_]{1,140}")) {
                throw new IllegalArgumentException("sinkId must be 1..140 of [a-z0-9_] but was '" + sinkId + "'");
            }
            if (flushBytes < 1) {
                throw new IllegalArgumentException("flushBytes must be >= 1 but was " + flushBytes);
            }
        }

        /** The prefix of this sink's prepared transaction ids for one subtask. */
        String gidPrefix(int subtask) {
            return gidPrefix() + subtask + ":";
        }

        /** The prefix of every prepared transaction id of this sink, all subtasks. */
        String gidPrefix() {
            return "bronze-cdc:" + sinkId + ":";
        }
    }

    @Override
    @Deprecated
    public SinkWriter<SequencedChange> createWriter(InitContext context) {
        throw new UnsupportedOperationException("Flink 1.20 creates writers through createWriter(WriterInitContext)");
    }

    @Override
    public StatefulSinkWriter<SequencedChange, Long> createWriter(WriterInitContext context) throws IOException {
        return restoreWriter(context, java.util.List.of());
    }

    @Override
    public StatefulSinkWriter<SequencedChange, Long> restoreWriter(WriterInitContext context,
            Collection<Long> recoveredState) throws IOException {
        long nextTransaction = recoveredState.stream().mapToLong(Long::longValue).max().orElse(0L);
        return BronzeSinkWriter.open(settings, context.getTaskInfo().getIndexOfThisSubtask(), nextTransaction);
    }

    @Override
    public SimpleVersionedSerializer<Long> getWriterStateSerializer() {
        return SinkSerializers.LONG;
    }

    @Override
    public Committer<String> createCommitter(CommitterInitContext context) {
        return new PreparedTransactionCommitter(settings, slot, context);
    }

    @Override
    public SimpleVersionedSerializer<String> getCommittableSerializer() {
        return SinkSerializers.STRING;
    }
}
