package io.bronzecdc.bench.reliability;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The faults the suite injects, each into one engine. The Flink job runs as {@code bronze-cdc stream} runs it (an
 * in-process Flink: JobManager and TaskManager in one JVM, checkpoints retained in a local state directory); the Spark
 * job as {@code bronze-cdc batch} runs it (one micro-batch per JVM, driver and local executors together).
 */
enum Fault {
    /** SIGKILL of the Flink JVM, then the same command again: it resumes from its latest retained checkpoint. */
    FLINK_KILL("flink", "the Flink job's JVM (JobManager and TaskManager) killed with SIGKILL, then started again"),
    /** PostgreSQL stopped (fast shutdown) and started again while the Flink job runs: it recovers by itself. */
    FLINK_POSTGRES_FAST("flink", "PostgreSQL fast shutdown and restart under the running Flink job"),
    /** PostgreSQL stopped as by a crash (immediate shutdown) and started again while the Flink job runs. */
    FLINK_POSTGRES_IMMEDIATE("flink", "PostgreSQL immediate shutdown (crash recovery) and restart under the running"
            + " Flink job"),
    /** SIGKILL of a Spark micro-batch JVM (driver and executors); the next run must succeed. */
    SPARK_KILL("spark", "a Spark micro-batch JVM (driver and executors) killed with SIGKILL, then the next run"),
    /** On a standalone cluster with two Workers: SIGKILL of an executor during a run; the next run must succeed. */
    SPARK_EXECUTOR_KILL("spark", "on a standalone cluster with two Workers, an executor JVM killed with SIGKILL during"
            + " a run, then the next run"),
    /** PostgreSQL stopped (fast shutdown) and started again during a Spark run; the next run must succeed. */
    SPARK_POSTGRES_FAST("spark", "PostgreSQL fast shutdown and restart during a Spark run, then the next run"),
    /** PostgreSQL stopped as by a crash during a Spark run; the next run must succeed. */
    SPARK_POSTGRES_IMMEDIATE("spark", "PostgreSQL immediate shutdown (crash recovery) and restart during a Spark run,"
            + " then the next run"),
    /** On a session cluster: SIGKILL of the TaskManager, which the script starts again; the job recovers by itself. */
    FLINK_TASKMANAGER_KILL("flink", "on a session cluster, the TaskManager JVM killed with SIGKILL and started again:"
            + " the job restarts from its latest checkpoint by itself"),
    /**
     * On a session cluster without HA: SIGKILL of the JobManager; the job dies with it. The documented way back:
     * start the cluster again and submit the job from its latest retained checkpoint.
     */
    FLINK_JOBMANAGER_KILL("flink", "on a session cluster, the JobManager JVM killed with SIGKILL (the job dies with"
            + " it, no HA): cluster started again, job resubmitted from its latest retained checkpoint"),
    /** On a session cluster: stop with a savepoint, then submit the job again from it. */
    FLINK_SAVEPOINT("flink", "on a session cluster, the job stopped with a savepoint and submitted again from it"),
    /** Bronze in a separate server, which is stopped (fast) and started again while the Flink job writes to it. */
    FLINK_TARGET_RESTART("flink", "bronze in a separate PostgreSQL server, stopped and started again (briefly"
            + " unreachable) while the Flink job writes to it"),
    /** Bronze in a separate server, which is stopped and started again during a Spark run. */
    SPARK_TARGET_RESTART("spark", "bronze in a separate PostgreSQL server, stopped and started again during a Spark"
            + " run, then the next run"),
    /**
     * No fault: the Flink job streams the workload at a steady rate for the whole run while lag, heap and retained
     * WAL are sampled; then the same check as every run.
     */
    SOAK("flink", "no fault: the Flink job streams at a steady rate; how far bronze is behind, the JVM's heap and"
            + " the slot's retained WAL sampled throughout"),
    /** The Flink job's slot invalidated while the job was stopped: its next start must refuse, changing nothing. */
    FLINK_SLOT_LOST("flink", "the slot invalidated (max_slot_wal_keep_size exceeded) while the Flink job was down;"
            + " its next start must refuse with the way out"),
    /** The Spark pipeline's slot invalidated between two runs: the next run must refuse, changing nothing. */
    SPARK_SLOT_LOST("spark", "the slot invalidated (max_slot_wal_keep_size exceeded) between two Spark runs; the"
            + " next run must refuse with the way out");

    private final String engine;
    private final String description;

    Fault(String engine, String description) {
        this.engine = engine;
        this.description = description;
    }

    String engine() {
        return engine;
    }

    String description() {
        return description;
    }

    /** The name on the command line and in the report: {@code flink-kill}, {@code spark-postgres-fast}, ... */
    String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    boolean onSessionCluster() {
        return this == FLINK_TASKMANAGER_KILL || this == FLINK_JOBMANAGER_KILL || this == FLINK_SAVEPOINT;
    }

    /** Whether bronze goes to a separate server, the one this fault restarts. */
    boolean separateTarget() {
        return this == FLINK_TARGET_RESTART || this == SPARK_TARGET_RESTART;
    }

    boolean losesSlot() {
        return this == FLINK_SLOT_LOST || this == SPARK_SLOT_LOST;
    }

    boolean immediate() {
        return this == FLINK_POSTGRES_IMMEDIATE || this == SPARK_POSTGRES_IMMEDIATE;
    }

    static Fault of(String label) {
        return Arrays.stream(values()).filter(f -> f.label().equals(label)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("unknown fault '" + label + "'; choose from " + String.join(", ",
                        labels())));
    }

    static List<String> labels() {
        return Arrays.stream(values()).map(Fault::label).toList();
    }
}
