package io.bronzecdc.model.source;

import io.bronzecdc.model.event.PgLsn;
import java.io.Serializable;
import java.util.Collections;
import java.util.List;

/**
 * The exact handover from a table's snapshot to its stream: which streamed transactions the snapshot already holds.
 * A streamed change of the table belongs to the snapshot iff its transaction is visible in the snapshot
 * ({@code pg_current_snapshot()} read in the snapshot's own REPEATABLE READ transaction): its xid is below
 * {@code xmin}, or below {@code xmax} and not in the in-progress list. Such changes are skipped; every other change
 * is kept.
 *
 * <p>Why visibility and not WAL position: a transaction becomes visible only after its commit record is written,
 * so WAL commit order and snapshot visibility can disagree; a transaction whose commit record was written but was
 * not yet visible when the snapshot was taken is missing from the snapshot and must be streamed. Every visible
 * transaction's commit record starts below {@code snapshotLsn} ({@code pg_current_wal_insert_lsn()} read after the
 * snapshot was taken), so once the stream passes {@code snapshotLsn} the rule skips nothing more and may be dropped.
 *
 * <p>pgoutput's Begin carries the 32-bit xid of the top-level transaction, while {@code pg_snapshot} holds 64-bit
 * xids (epoch and xid). The 32-bit xid is widened to the 64-bit xid nearest to {@code xmax} (PostgreSQL keeps every
 * live xid within 2^31 of each other), so an xid of the next epoch right after a wraparound sorts after
 * {@code xmax} and one of the previous epoch sorts before it.
 *
 * <p>Serializable, so that a streaming source can keep it in its checkpointed state until the stream passes
 * {@code snapshotLsn}.
 *
 * @param xmin the snapshot's xmin: every transaction below it had ended (64-bit)
 * @param xmax the snapshot's xmax: every transaction from it on had not started (64-bit)
 * @param inProgress the 64-bit xids between xmin and xmax that were in progress, ascending
 * @param snapshotLsn the WAL insert position read after the snapshot was taken, as {@link PgLsn#asLong()}
 */
public record SnapshotHandover(long xmin, long xmax, List<Long> inProgress, long snapshotLsn) implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final long EPOCH = 1L << 32;

    public SnapshotHandover {
        inProgress = List.copyOf(inProgress);
        if (xmin < 0 || xmax < xmin) {
            throw new IllegalArgumentException("a snapshot needs 0 <= xmin <= xmax but got xmin=" + xmin + ", xmax="
                    + xmax);
        }
        for (int i = 0; i < inProgress.size(); i++) {
            long xid = inProgress.get(i);
            if (xid < xmin || xid >= xmax || (i > 0 && inProgress.get(i - 1) >= xid)) {
                throw new IllegalArgumentException("in-progress xids must ascend within [xmin, xmax) = [" + xmin
                        + ", " + xmax + ") but got " + inProgress);
            }
        }
    }

    /**
     * The handover of a snapshot as {@code pg_current_snapshot()::text} prints it ({@code xmin:xmax:xip,...}).
     *
     * @throws IllegalArgumentException quoting {@code text} when it is not a snapshot
     */
    public static SnapshotHandover parse(String text, PgLsn snapshotLsn) {
        String[] parts = text == null ? new String[0] : text.split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("expected a pg_snapshot 'xmin:xmax:xip,...' but got '" + text + "'");
        }
        try {
            List<Long> xip = parts[2].isEmpty() ? List.of()
                    : java.util.Arrays.stream(parts[2].split(",")).map(Long::parseLong).sorted().toList();
            return new SnapshotHandover(Long.parseLong(parts[0]), Long.parseLong(parts[1]), xip, snapshotLsn.asLong());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a pg_snapshot 'xmin:xmax:xip,...' but got '" + text + "'", e);
        }
    }

    /** The snapshot as {@code pg_current_snapshot()::text} prints it, which {@link #parse} reads back. */
    public String xids() {
        return xmin + ":" + xmax + ":" + inProgress.stream().map(String::valueOf)
                .collect(java.util.stream.Collectors.joining(","));
    }

    /** The WAL position past which no change belongs to the snapshot. */
    public PgLsn lsn() {
        return PgLsn.of(snapshotLsn);
    }

    /**
     * The 64-bit xid of a 32-bit xid (as pgoutput sends it, unsigned), taken as the one nearest to {@code xmax}.
     */
    public long widen(long xid32) {
        if (xid32 < 0 || xid32 >= EPOCH) {
            throw new IllegalArgumentException("a 32-bit xid must be in [0, 2^32) but was " + xid32);
        }
        int distance = (int) (xid32 - (xmax & (EPOCH - 1))); // signed: -2^31 .. 2^31 - 1
        return xmax + distance;
    }

    /** Whether the transaction with this 32-bit xid was visible (committed) in the snapshot. */
    public boolean visible(long xid32) {
        long xid = widen(xid32);
        if (xid < xmin) {
            return true;
        }
        return xid < xmax && Collections.binarySearch(inProgress, xid) < 0;
    }

    /**
     * Whether a streamed change of the table, in the transaction with this 32-bit xid whose commit record is at
     * {@code commitLsn}, is already in the snapshot and must be skipped.
     */
    public boolean holds(long xid32, PgLsn commitLsn) {
        return commitLsn.asLong() < snapshotLsn && visible(xid32);
    }

    /** Whether a stream that reached {@code position} has passed every transaction the snapshot holds. */
    public boolean passedBy(PgLsn position) {
        return position.asLong() >= snapshotLsn;
    }

    @Override
    public String toString() {
        return "snapshot " + xids() + " at " + lsn();
    }
}
