package io.bronzecdc.flink.source.pgoutput;

import io.bronzecdc.flink.source.CapturedChange;

/** What the {@link ReplicationFetcher} hands the reader, in stream order. */
sealed interface StreamItem {
    /**
     * A change or event to emit.
     *
     * @param commitLsn its transaction's commit LSN
     * @param key its place in the transaction, increasing, the same when the transaction is resent: a change's
     *     {@code indexInTransaction} times 256 plus 255, an event's position (the index of the change message it
     *     precedes, doubled) times 256 plus its number among the events there
     */
    record Change(CapturedChange change, long commitLsn, long key) implements StreamItem {
    }

    /** The end of a transaction: the stream may restart at {@code endLsn}. */
    record Commit(long commitLsn, long endLsn) implements StreamItem {
    }

    /**
     * The server's position while no transaction was open (from a keepalive): every transaction that commits
     * before it was received, so the stream may restart there.
     */
    record Position(long lsn) implements StreamItem {
    }
}
