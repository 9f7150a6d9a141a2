package io.bronzecdc.spark.job;

/** What a micro-batch run tells its scheduler (cron, Airflow, the built-in {@code --every} loop) through its exit code. */
public enum ExitCode {
    /** The run appended everything committed up to its bound (possibly nothing) and advanced the slot. */
    SUCCESS(0),
    /** The run failed after preflight; nothing it wrote was committed unless the log says the commit happened. */
    FAILED(1),
    /** The source or bronze target cannot feed this pipeline; the message lists every problem and its fix. */
    PREFLIGHT_FAILED(2),
    /** Another run of the same pipeline holds its lock; this run wrote nothing. */
    ANOTHER_RUN_ACTIVE(3),
    /** Bad command line or config file; nothing was connected to. */
    USAGE(64);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** The process exit status. */
    public int code() {
        return code;
    }
}
