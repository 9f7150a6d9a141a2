package io.bronzecdc.peer;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** Prints {@code <peer>: <n> rows written} to stdout about once a second, from a daemon thread. */
public final class Progress {
    private Progress() {
    }

    /** Starts printing {@code written} for {@code peer}. */
    public static void start(String peer, LongSupplier written) {
        ScheduledExecutorService printer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, peer + "-progress");
            thread.setDaemon(true);
            return thread;
        });
        long started = System.nanoTime();
        printer.scheduleAtFixedRate(() -> System.out.printf("%s: %d rows written (%d s)%n", peer,
                written.getAsLong(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)),
                1, 1, TimeUnit.SECONDS);
    }
}
