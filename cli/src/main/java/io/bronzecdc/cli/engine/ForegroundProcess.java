package io.bronzecdc.cli.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * An engine JVM run in the foreground of the command: it shares the terminal (inherited stdin, stdout and stderr),
 * and the command waits for it and ends with its exit code.
 *
 * <p>Ctrl-C: the engine decides how it stops (the Flink job keeps its last checkpoint, the demo stops its parts in
 * order), so the command must neither die before it nor signal it twice. Where {@code setsid} exists (Linux), the
 * engine runs in a session of its own, out of the terminal's reach, and each SIGINT or SIGTERM the command receives
 * is passed on to it exactly once (a SIGHUP, when the terminal closes, as SIGINT); elsewhere the terminal signals
 * both, and the command only waits. A command killed with SIGKILL cannot pass anything on: its engine notices by
 * itself ({@code io.bronzecdc.model.ParentWatch}) and ends too.
 */
public final class ForegroundProcess {
    /** The signals passed on: SIGHUP (the terminal closed) as SIGINT, a clean stop like Ctrl-C. */
    private static final List<String> SIGNALS = List.of("INT", "TERM", "HUP");
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private ForegroundProcess() {
    }

    /**
     * Runs {@code command} with {@code environment} added and returns its exit code once it exited.
     *
     * @throws IOException when the process cannot be started
     */
    public static int run(String engine, List<String> command, Map<String, String> environment)
            throws IOException, InterruptedException {
        boolean ownSession = Files.isExecutable(SETSID);
        List<String> full = new ArrayList<>();
        if (ownSession) {
            full.add(SETSID.toString());
        }
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full).inheritIO();
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException("could not start the " + engine + " engine (" + command.get(0) + "): "
                    + e.getMessage(), e);
        }
        List<Installed> installed = new ArrayList<>();
        for (String name : SIGNALS) {
            Signal signal = new Signal(name);
            SignalHandler pass = ownSession ? received -> forward(process, received) : received -> { };
            try {
                installed.add(new Installed(signal, Signal.handle(signal, pass)));
            } catch (IllegalArgumentException reserved) {
                // the JVM runs with -Xrs or the platform reserves it: the default behaviour stays
            }
        }
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            throw e;
        } finally {
            installed.forEach(i -> Signal.handle(i.signal(), i.previous()));
        }
    }

    /** Passes {@code signal} on to the engine: {@code kill -<SIG> <pid>} (Java signals only SIGTERM and SIGKILL). */
    private static void forward(Process process, Signal signal) {
        if (!process.isAlive()) {
            return;
        }
        try {
            String name = signal.getName().equals("HUP") ? "INT" : signal.getName();
            new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start()
                    .waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            process.destroy();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Installed(Signal signal, SignalHandler previous) {
    }
}
