package io.bronzecdc.spark.job;

/**
 * Named points of one micro-batch run, in the order they are reached, where {@link RunHooks} are called. A hook
 * that throws there stops the run as a crash would: open transactions roll back and connections close.
 */
public enum RunPoint {
    /** First run: the slot exists and the reading transaction imported its exported snapshot; nothing read yet. */
    SNAPSHOT_IMPORTED,
    /**
     * Stream run, for each table bronze never captured: it is published and its writers have ended; its snapshot
     * is about to be taken (before the run's bound).
     */
    LATE_TABLE_SNAPSHOT,
    /**
     * The run's Spark job (read, encode, number, stage) is about to start; also before each JDBC batch of a new
     * table's snapshot rows, which the driver writes into the open bronze transaction.
     */
    CHUNK_DECODED,
    /**
     * The Spark job ended and every row is staged by a task, nothing published yet; also after each JDBC batch of a
     * new table's snapshot rows.
     */
    CHUNK_WRITTEN,
    /** Every row and the new position are in the bronze transaction, which is about to commit. */
    BEFORE_COMMIT,
    /** The bronze transaction committed; the slot has not been advanced yet. */
    COMMITTED,
    /** The slot was advanced to the committed position; the run is done. */
    SLOT_ADVANCED
}
