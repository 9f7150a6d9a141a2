package io.bronzecdc.flink.source.pgoutput;

import io.bronzecdc.model.source.SnapshotHandover;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * The one split of a {@link PgOutputSource}: the pipeline's replication slot, with how far the reader got.
 *
 * <p>{@code restartLsn} is where the replication restarts after a restore: the end of the last transaction whose
 * changes were all emitted (or a server position reached while no transaction was open). PostgreSQL skips every
 * transaction whose commit record starts before the start position, so each transaction is resent whole or not
 * at all. A checkpoint can cut a transaction: then {@code openCommitLsn} names it (its commit LSN) and
 * {@code lastEmittedKey} the {@link StreamItem#key} of its last emitted item; after a restore the resent items of
 * that transaction up to that key are skipped (pgoutput resends a transaction identically, and the keys do not
 * depend on which tables are kept).
 *
 * @param restartLsn where the stream restarts; the consistent point right after the snapshot; 0 before it
 * @param openCommitLsn commit LSN of the transaction cut by the checkpoint, or {@link #NO_OPEN_TRANSACTION}
 * @param lastEmittedKey the key of the last item emitted from that transaction (-1 with none open)
 * @param snapshotDone whether the initial snapshot was emitted (and the slot created)
 * @param tables the captured tables as {@link io.bronzecdc.model.event.TableId#toString()} shows them: those of
 *     the initial snapshot, then each table brought in later ({@link LateTables}) once its snapshot was emitted
 * @param handovers for each table brought in later whose snapshot the stream has not passed yet, which of its
 *     streamed changes that snapshot already holds ({@link SnapshotHandover}); the fetcher's decoder drops those.
 *     Dropped from the state once {@link #restartLsn} reaches the handover's lsn
 */
public record SlotSplit(long restartLsn, long openCommitLsn, long lastEmittedKey, boolean snapshotDone,
        List<String> tables, Map<String, SnapshotHandover> handovers) implements SourceSplit {
    /** {@link #openCommitLsn} when no transaction is cut. */
    public static final long NO_OPEN_TRANSACTION = 0L;
    /** The split's id: there is one slot per pipeline. */
    public static final String ID = "slot";

    public SlotSplit {
        tables = List.copyOf(tables);
        handovers = Collections.unmodifiableMap(new LinkedHashMap<>(handovers));
        for (String table : handovers.keySet()) {
            if (!tables.contains(table)) {
                throw new IllegalArgumentException("a handover for " + table + ", which is not among the split's"
                        + " tables " + tables);
            }
        }
    }

    /** A split without pending handovers. */
    public SlotSplit(long restartLsn, long openCommitLsn, long lastEmittedKey, boolean snapshotDone,
            List<String> tables) {
        this(restartLsn, openCommitLsn, lastEmittedKey, snapshotDone, tables, Map.of());
    }

    /** The split of a pipeline that has not taken its snapshot yet. */
    public static SlotSplit initial(List<String> tables) {
        return new SlotSplit(0L, NO_OPEN_TRANSACTION, -1L, false, tables);
    }

    @Override
    public String splitId() {
        return ID;
    }

    /** After the snapshot: the stream starts at the consistent point. */
    SlotSplit afterSnapshot(long consistentPoint) {
        return new SlotSplit(consistentPoint, NO_OPEN_TRANSACTION, -1L, true, tables);
    }

    /** Whether a checkpoint cut a transaction. */
    public boolean hasOpenTransaction() {
        return openCommitLsn != NO_OPEN_TRANSACTION;
    }
}
