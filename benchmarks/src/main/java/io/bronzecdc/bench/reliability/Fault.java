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
    /** PostgreSQL stopped (fast shutdown) and started again during a Spark run; the next run must succeed. */
    SPARK_POSTGRES_FAST("spark", "PostgreSQL fast shutdown and restart during a Spark run, then the next run"),
    /** PostgreSQL stopped as by a crash during a Spark run; the next run must succeed. */
    SPARK_POSTGRES_IMMEDIATE("spark", "PostgreSQL immediate shutdown (crash recovery) and restart during a Spark run,"
            + " then the next run"),
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
