package io.bronzecdc.flink.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/** A seeded workload committing transactions on its own thread and connection until stopped. */
public final class BackgroundWorkload implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(90);

    private final List<CommittedTransaction> committed = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Connection connection;
    private final Thread thread;

    /** Starts committing {@code workload}'s transactions on {@code connection}, which it closes when closed. */
    public BackgroundWorkload(ChangeWorkload workload, Connection connection, String name) {
        this.connection = connection;
        this.thread = new Thread(() -> {
            try {
                while (!stop.get()) {
                    committed.add(workload.runTransaction(connection));
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "workload-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    public long committed() {
        return committed.size();
    }

    public void requireRunning() {
        assertThat(failure.get()).as("workload failure").isNull();
        assertThat(thread.isAlive()).as("workload thread alive").isTrue();
    }

    /** Stops after the transaction in progress and returns everything committed, in commit order. */
    public List<CommittedTransaction> stop() throws InterruptedException {
        stop.set(true);
        thread.join(WAIT.toMillis());
        assertThat(thread.isAlive()).as("workload thread stopped").isFalse();
        assertThat(failure.get()).as("workload failure").isNull();
        return List.copyOf(committed);
    }

    @Override
    public void close() throws Exception {
        stop.set(true);
        thread.join(WAIT.toMillis());
        connection.close();
    }
}
