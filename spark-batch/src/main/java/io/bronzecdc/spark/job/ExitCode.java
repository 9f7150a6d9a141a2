package io.bronzecdc.spark.job;

/**
 * What a micro-batch or validation run tells its scheduler (cron, Airflow, the built-in {@code --every} loop)
 * through its exit code.
 */
public enum ExitCode {
    /** The run appended everything committed up to its bound (possibly nothing) and advanced the slot. */
    SUCCESS(0),
    /**
     * The run failed after preflight; nothing it wrote was committed unless the log says the commit happened. A
     * validation run: the checks could not be completed (for example a query failed half-way).
     */
    FAILED(1),
    /**
     * The source or bronze target cannot feed this pipeline; the message lists every problem and its fix. A
     * validation run: the database cannot be reached or a bronze table of the schema is missing.
     */
    PREFLIGHT_FAILED(2),
    /** Another run of the same pipeline holds its lock; this run wrote nothing. */
    ANOTHER_RUN_ACTIVE(3),
    /** Validation only: at least one check failed on the bronze log; the report names each table and check. */
    CHECK_FAILED(4),
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
