package io.bronzecdc.model;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends an engine JVM when the {@code bronze-cdc} command that started it is gone. The command runs each engine in a
 * process session of its own (so Ctrl-C reaches the engine once, through the command); a command killed with SIGKILL
 * cannot pass anything on, and without this watch its engine would run on, holding the pipeline's slot, so that the
 * next {@code bronze-cdc stream} or {@code batch} is refused. With the watch the engine exits as if it had been
 * killed with the command: the next run resumes from the last checkpoint (Flink) or repairs the interrupted run
 * (Spark), exactly as after any crash.
 *
 * <p>The command names itself in the system property {@value #PROPERTY}; an engine started otherwise ({@code flink
 * run}, {@code spark-submit}) has no parent to watch.
 */
public final class ParentWatch {
    /** System property holding the pid of the process whose end ends this JVM. */
    public static final String PROPERTY = "bronze.parent.pid";
    private static final Logger LOG = LoggerFactory.getLogger(ParentWatch.class);

    private ParentWatch() {
    }

    /** Starts watching when {@value #PROPERTY} is set; the JVM exits with {@code exitCode} when that process ends. */
    public static void startIfRequested(int exitCode) {
        String pid = System.getProperty(PROPERTY);
        if (pid == null || pid.isBlank()) {
            return;
        }
        Optional<ProcessHandle> parent;
        try {
            parent = ProcessHandle.of(Long.parseLong(pid.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PROPERTY + " must be a process id but was '" + pid + "'", e);
        }
        if (parent.isEmpty() || !parent.get().isAlive()) {
            exit(pid, exitCode);
        }
        parent.get().onExit().thenRun(() -> exit(pid, exitCode));
    }

    private static void exit(String pid, int exitCode) {
        String message = "bronze-cdc: the command that started this engine (pid " + pid + ") is gone; stopping, as"
                + " if stopped with it (the next run resumes from the last checkpoint or repairs this run)";
        LOG.error(message);
        System.err.println(message);
        System.exit(exitCode);
    }
}
