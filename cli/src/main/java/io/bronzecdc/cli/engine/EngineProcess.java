package io.bronzecdc.cli.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A running engine JVM and the file its stdout and stderr go to. {@link #close()} stops it (and any process it
 * started), so a try-with-resources or an {@code @AfterAll} never leaves an engine behind.
 */
public final class EngineProcess implements AutoCloseable {
    /** How long {@link #close()} lets the JVM shut down after SIGTERM before it kills it. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(15);

    private final String engine;
    private final List<String> command;
    private final Process process;
    private final Path output;
    private final long startedNanos = System.nanoTime();
    private volatile long exitedNanos;

    private EngineProcess(String engine, List<String> command, Process process, Path output) {
        this.engine = engine;
        this.command = List.copyOf(command);
        this.process = process;
        this.output = output;
        process.onExit().thenRun(() -> exitedNanos = System.nanoTime());
    }

    /** Starts {@code command} with {@code environment} added, its output (both streams) to {@code output}. */
    static EngineProcess start(String engine, List<String> command, Map<String, String> environment, Path output)
            throws IOException {
        Files.createDirectories(output.toAbsolutePath().getParent());
        Files.deleteIfExists(output);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        try {
            return new EngineProcess(engine, command, builder.start(), output);
        } catch (IOException e) {
            throw new IOException("could not start the " + engine + " engine: " + String.join(" ", command), e);
        }
    }

    /** The engine's name. */
    public String engine() {
        return engine;
    }

    /** The command line the process was started with. */
    public List<String> command() {
        return command;
    }

    /** The file holding the process's output. */
    public Path output() {
        return output;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, or -1 while the process runs. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** Time since the process started, or from its start to its exit once it exited. */
    public Duration runtime() {
        return Duration.ofNanos((exitedNanos == 0 ? System.nanoTime() : exitedNanos) - startedNanos);
    }

    /**
     * Waits for the process to exit and returns its exit code.
     *
     * @throws IllegalStateException when it is still running after {@code timeout}; it is killed first, and the
     *     message holds the tail of its output
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            stop(Duration.ZERO);
            throw new IllegalStateException("the " + engine + " engine (pid " + pid() + ") did not exit within "
                    + timeout + " and was killed. Last output (" + output + "):\n" + tail(60));
        }
        return process.exitValue();
    }

    /**
     * Stops the process: SIGTERM, up to {@code grace} for its shutdown hooks, then SIGKILL; processes it started
     * are stopped too.
     *
     * @return whether the process and its descendants are gone
     */
    public boolean stop(Duration grace) throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        return !process.isAlive() && descendants.stream().noneMatch(ProcessHandle::isAlive);
    }

    /**
     * Kills the process at once with SIGKILL ({@link Process#destroyForcibly()} on Linux): no shutdown hook runs,
     * as when the machine or the OOM killer stops a driver. Processes it started are killed too.
     *
     * @return whether the process and its descendants are gone within {@code wait}
     */
    public boolean kill(Duration wait) throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
        return !process.isAlive() && descendants.stream().noneMatch(ProcessHandle::isAlive);
    }

    /** The last {@code lines} lines of the process's output so far, for failure messages. */
    public String tail(int lines) {
        if (!Files.exists(output)) {
            return "(no output file " + output + ")";
        }
        try {
            // Decoded leniently: a log line cut in the middle of a character must not hide the rest.
            List<String> all = new String(Files.readAllBytes(output), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the " + engine + " engine's output " + output, e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop(DEFAULT_GRACE);
    }

    @Override
    public String toString() {
        return engine + " engine (pid " + pid() + (isAlive() ? ", running" : ", exited " + process.exitValue())
                + ", output " + output + ")";
    }
}
