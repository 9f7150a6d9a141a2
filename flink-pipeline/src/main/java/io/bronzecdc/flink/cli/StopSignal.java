package io.bronzecdc.flink.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM for a command that must stop its parts in order. While installed, the signals do
 * not start the JVM's shutdown: the handler only records the request, and the command's own thread notices it
 * (every wait of the demo goes through {@link #await}), stops the workload, then the streaming job, then the
 * embedded server, and exits with {@code 128 + signal number}.
 *
 * <p>Why not a shutdown hook: on SIGINT the JVM runs every hook at once, and the embedded server's own hook
 * (zonky) stops PostgreSQL while the Flink source still reads from it, which Flink logs as an ERROR
 * ({@code database system is shutting down}). {@code sun.misc.Signal} is the supported way (module
 * {@code jdk.unsupported}, JEP 260) to take a signal over in Java 17. A second signal exits at once.
 */
final class StopSignal implements AutoCloseable {
    /** Exit code after Ctrl-C, as shells report SIGINT. */
    static final int EXIT_INTERRUPTED = 130;
    private static final List<String> SIGNALS = List.of("INT", "TERM");

    private final CountDownLatch requested = new CountDownLatch(1);
    private final PrintWriter err;
    private final List<Installed> previous = new ArrayList<>();
    private volatile int signalNumber;

    private record Installed(Signal signal, SignalHandler handler) {
    }

    private StopSignal(PrintWriter err) {
        this.err = err;
    }

    /** Takes over SIGINT and SIGTERM until {@link #close()}; a message goes to {@code err} when one arrives. */
    static StopSignal install(PrintWriter err) {
        StopSignal stop = new StopSignal(err);
        for (String name : SIGNALS) {
            Signal signal = new Signal(name);
            try {
                stop.previous.add(new Installed(signal, Signal.handle(signal, stop::onSignal)));
            } catch (IllegalArgumentException notOurs) {
                // the JVM runs with -Xrs or the platform reserves it: the default behaviour stays
            }
        }
        return stop;
    }

    /** A stop that only {@link #request()} triggers; for callers that handle no signal. */
    static StopSignal manual() {
        return new StopSignal(new PrintWriter(PrintWriter.nullWriter()));
    }

    private void onSignal(Signal signal) {
        if (requested.getCount() == 0) {
            err.println("bronze-cdc: second " + signal.getName() + ": exiting now, without a clean stop");
            err.flush();
            System.exit(128 + signal.getNumber());
        }
        signalNumber = signal.getNumber();
        err.println("bronze-cdc: SIG" + signal.getName() + " received: stopping the workload, the job and the"
                + " embedded server (press Ctrl-C again to exit at once)...");
        err.flush();
        requested.countDown();
    }

    /** Asks the command to stop, as a signal would. */
    void request() {
        requested.countDown();
    }

    /** Whether a stop was asked for. */
    boolean requested() {
        return requested.getCount() == 0;
    }

    /** The exit code after a stop: {@code 128 +} the signal number, 130 (SIGINT) when no signal caused it. */
    int exitCode() {
        return signalNumber == 0 ? EXIT_INTERRUPTED : 128 + signalNumber;
    }

    /** Throws {@link Requested} once a stop was asked for. */
    void check() {
        if (requested()) {
            throw new Requested();
        }
    }

    /**
     * Waits up to {@code millis}, returning early only when a stop is asked for (then it throws {@link Requested}).
     * The demo's loops wait here rather than sleeping, so a Ctrl-C is noticed at once.
     */
    void await(long millis) {
        boolean stop;
        try {
            stop = requested.await(Math.max(0, millis), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop = true;
        }
        if (stop) {
            throw new Requested();
        }
    }

    /** Gives the signals back to the JVM's default handling. */
    @Override
    public void close() {
        previous.forEach(installed -> Signal.handle(installed.signal(), installed.handler()));
        previous.clear();
    }

    /** Thrown on the command's thread when a stop was asked for; the command unwinds and stops its parts. */
    static final class Requested extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Requested() {
            super("stop requested (Ctrl-C or SIGTERM)", null, false, false);
        }
    }
}
