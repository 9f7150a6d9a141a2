package io.bronzecdc.flink.sink;

/**
 * Names of the metrics the bronze sinks register in the group {@value #GROUP}: of the writer operator of
 * {@link BronzeLogSink} ({@code bronze-log-sink: Writer}, pgoutput source) or of the committer operator of
 * {@link BronzeSink} ({@code bronze-sink: Committer}, Flink CDC source). With Flink's Prometheus reporter they read
 * {@code flink_taskmanager_job_task_operator_bronze_<name>}. README.md ("Metrics") says what each one means.
 */
public final class SinkMetrics {
    /** The metric group under the writer or committer operator. */
    public static final String GROUP = "bronze";
    /**
     * {@link BronzeLogSink}: milliseconds from the source commit of the newest streamed change in the last bronze
     * commit of this writer subtask to the end of that commit. {@link BronzeSink}: milliseconds from
     * {@code PREPARE TRANSACTION} (the server's {@code pg_prepared_xacts.prepared}) to the end of its
     * {@code COMMIT PREPARED}, for the last transaction this committer subtask committed. 0 before the first.
     */
    public static final String COMMIT_LATENCY_MILLIS = "commitLatencyMillis";
    /** Prepared transactions of this pipeline's sink not committed yet (all subtasks); -1 while unknown. */
    public static final String PENDING_PREPARED_TRANSACTIONS = "pendingPreparedTransactions";
    /** Bytes of WAL the pipeline's slot keeps on the source server; -1 while unknown (no slot yet). */
    public static final String SLOT_RETAINED_WAL_BYTES = "slotRetainedWalBytes";

    private SinkMetrics() {
    }
}
