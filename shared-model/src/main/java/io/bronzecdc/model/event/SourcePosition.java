package io.bronzecdc.model.event;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * Where a change comes from in the source's history, and so where it sorts.
 *
 * <p>The order key of a streamed change is (its transaction's commit position, its index inside the
 * transaction), not its own WAL position: all rows of one COPY share one WAL record, and concurrent
 * transactions interleave their change positions while the replication stream delivers them whole, in commit
 * order. Initial-snapshot rows sort before every streamed change; among themselves they keep the order the
 * engine read them in.
 *
 * @param commitLsn WAL position of the transaction's commit (streamed) or the snapshot's consistent point
 *     ({@link PgLsn#ZERO} where the engine has none)
 * @param changeLsn WAL position of the change itself as the decoder reports it; stored as bronze
 *     {@code source_lsn}. Neither unique nor ordered across transactions.
 * @param indexInTransaction 0-based position of the change inside its transaction (snapshot: 0)
 * @param txId source transaction id; null exactly for snapshot rows
 * @param commitTime source commit time; null exactly for snapshot rows
 * @param snapshot whether the row was read by the initial snapshot rather than decoded from the WAL
 */
public record SourcePosition(
        PgLsn commitLsn, PgLsn changeLsn, long indexInTransaction, Long txId, Instant commitTime,
        boolean snapshot) {

    /** Snapshot rows first, then streamed changes by (commit position, index in transaction). */
    public static final Comparator<SourcePosition> SOURCE_ORDER = Comparator
            .comparing((SourcePosition p) -> !p.snapshot())
            .thenComparing(SourcePosition::commitLsn)
            .thenComparingLong(SourcePosition::indexInTransaction);

    public SourcePosition {
        Objects.requireNonNull(commitLsn, "commitLsn");
        Objects.requireNonNull(changeLsn, "changeLsn");
        if (indexInTransaction < 0) {
            throw new IllegalArgumentException("indexInTransaction must be >= 0 but was " + indexInTransaction);
        }
        if (snapshot && (txId != null || commitTime != null)) {
            throw new IllegalArgumentException("a snapshot position has no txId and no commitTime but got txId="
                    + txId + ", commitTime=" + commitTime);
        }
        if (!snapshot && (txId == null || commitTime == null)) {
            throw new IllegalArgumentException("a streamed position needs txId and commitTime but got txId="
                    + txId + ", commitTime=" + commitTime);
        }
    }

    /** A row of the initial snapshot taken at {@code consistentPoint} ({@link PgLsn#ZERO} if unknown). */
    public static SourcePosition snapshot(PgLsn consistentPoint) {
        return new SourcePosition(consistentPoint, consistentPoint, 0, null, null, true);
    }

    /** A change decoded from the WAL. */
    public static SourcePosition streamed(
            PgLsn commitLsn, PgLsn changeLsn, long indexInTransaction, long txId, Instant commitTime) {
        return new SourcePosition(commitLsn, changeLsn, indexInTransaction, txId, commitTime, false);
    }

    /** Whether this position sorts strictly before {@code other} in source order. */
    public boolean isBefore(SourcePosition other) {
        return SOURCE_ORDER.compare(this, other) < 0;
    }
}
