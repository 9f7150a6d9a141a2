package io.bronzecdc.model;

/**
 * The one exit-code vocabulary of the {@code bronze-cdc} command, the Flink job and the Spark jobs: what a run tells
 * its caller (a shell, cron, Airflow, the {@code --every} loop). The README lists the same table.
 */
public enum ExitCode {
    /** The command did what it was asked (a micro-batch: appended everything up to its bound and advanced the slot). */
    SUCCESS(0),
    /**
     * The run failed after its checks passed, for a reason the message and log name (a lost connection, a bug). A
     * run that wrote something says whether it committed; a validation could not complete its checks.
     */
    FAILED(1),
    /**
     * Not ready or bad input: the command line, the config file, the source database or the bronze target cannot
     * serve the command. The message lists every problem with its fix; nothing was changed.
     */
    NOT_READY(2),
    /** Another run of the same pipeline holds its lock (or its slot); this run wrote nothing. */
    ANOTHER_RUN_ACTIVE(3),
    /** A validation check failed on the bronze log; the report names each table and check. */
    CHECK_FAILED(4),
    /** {@code status}: the lag of at least one table, or of the slot, is above the pipeline's alert threshold. */
    LAG_ALERT(5),
    /** Stopped by Ctrl-C (SIGINT), after a clean stop: the next run resumes where this one stopped. */
    INTERRUPTED(130);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** The process exit status. */
    public int code() {
        return code;
    }
}
