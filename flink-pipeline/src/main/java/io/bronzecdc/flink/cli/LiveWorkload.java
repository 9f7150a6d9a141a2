package io.bronzecdc.flink.cli;

import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The demo's live workload: {@link ChangeWorkload} transactions at an asked rate, on several connections at once.
 *
 * <p>Why several: one connection commits one transaction at a time, a few round trips each, so it tops out at a
 * few hundred transactions per second whatever rate is asked (the first demo printed "2000 tx/s" and made about
 * 320). Here the transactions are tickets on one schedule ({@code start + i / rate}); each worker takes the next
 * ticket, waits only if it is early, and runs at once when it is late, so late tickets are caught up in a burst
 * instead of being dropped. What the machine cannot reach shows as an achieved rate below the asked one, and the
 * demo prints both.
 *
 * <p>Concurrent transactions may deadlock on rows they both change; PostgreSQL then rolls one back, nothing of it
 * is committed, and the worker counts it and takes the next ticket.
 */
final class LiveWorkload implements AutoCloseable {
    /** About what one connection commits per second on a busy 2-core machine; sets the number of connections. */
    private static final int RATE_PER_CONNECTION = 150;
    /** More connections than this only add contention on a small machine. */
    static final int MAX_CONNECTIONS = 8;
    private static final int MAX_STATEMENTS_PER_TRANSACTION = 4;
    private static final String DEADLOCK = "40P01";
    private static final String SERIALIZATION_FAILURE = "40001";

    private final Plan plan;
    private final LiveTally tally = new LiveTally();
    private final AtomicLong tickets = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final List<Thread> workers = new ArrayList<>();
    private final List<Connection> connections;
    private volatile boolean stopping;
    private volatile boolean stoppedEarly;
    private long startNanos;
    private long endNanos;
    /** When the last worker ended; 0 while one runs. */
    private final AtomicLong lastExitNanos = new AtomicLong();
    private final AtomicLong running = new AtomicLong();

    /**
     * @param seed seed of the workers' workloads (each worker gets its own seed derived from it)
     * @param duration how long transactions are started
     * @param ratePerSecond asked transactions per second, at least 1
     */
    record Plan(long seed, Duration duration, int ratePerSecond) {
        Plan {
            if (ratePerSecond < 1 || duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("a workload needs a positive rate and duration but got "
                        + ratePerSecond + " tx/s for " + duration);
            }
        }

        /** Enough connections for the asked rate, at most {@link #MAX_CONNECTIONS}. */
        int connections() {
            return Math.min(MAX_CONNECTIONS, Math.max(1, (ratePerSecond + RATE_PER_CONNECTION - 1) / RATE_PER_CONNECTION));
        }
    }

    /** A source of new connections to the source database. */
    interface Connector {
        Connection connect() throws SQLException;
    }

    LiveWorkload(Plan plan, Connector connector) throws SQLException {
        this.plan = plan;
        this.connections = new ArrayList<>();
        try {
            for (int i = 0; i < plan.connections(); i++) {
                connections.add(connector.connect());
            }
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    Plan plan() {
        return plan;
    }

    /** Starts the workers; the schedule begins now. */
    void start() {
        startNanos = System.nanoTime();
        endNanos = startNanos + plan.duration().toNanos();
        SplittableRandom seeds = new SplittableRandom(plan.seed());
        for (int i = 0; i < connections.size(); i++) {
            ChangeWorkload changes = new ChangeWorkload(seeds.nextLong(), MAX_STATEMENTS_PER_TRANSACTION);
            Connection connection = connections.get(i);
            Thread worker = new Thread(() -> work(changes, connection), "bronze-cdc-demo-workload-" + i);
            worker.setDaemon(true);
            workers.add(worker);
            running.incrementAndGet();
            worker.start();
        }
    }

    private void work(ChangeWorkload changes, Connection connection) {
        try {
            while (!stopping) {
                long due = startNanos + ticketOffsetNanos(tickets.getAndIncrement());
                long now = System.nanoTime();
                if (due >= endNanos || now >= endNanos) {
                    return;
                }
                while (due > now && !stopping) {
                    LockSupport.parkNanos(due - now); // early: wait for the ticket's time; late: run at once
                    now = System.nanoTime();
                }
                if (stopping) {
                    return;
                }
                runOne(changes, connection);
            }
        } catch (Exception e) {
            failure.compareAndSet(null, e);
            stopping = true;
        } finally {
            lastExitNanos.accumulateAndGet(System.nanoTime(), Math::max);
            running.decrementAndGet();
        }
    }

    private long ticketOffsetNanos(long ticket) {
        return (long) (ticket * (1_000_000_000.0 / plan.ratePerSecond()));
    }

    private void runOne(ChangeWorkload changes, Connection connection) throws SQLException {
        try {
            CommittedTransaction tx = changes.runTransaction(connection);
            tally.committed(tx.changes());
        } catch (SQLException e) {
            if (!DEADLOCK.equals(e.getSQLState()) && !SERIALIZATION_FAILURE.equals(e.getSQLState())) {
                throw e;
            }
            tally.rolledBack(); // PostgreSQL rolled it back: nothing of it reached the source tables
        }
    }

    /**
     * Whether every worker finished its schedule.
     *
     * @throws SQLException the first unexpected failure of a worker
     */
    boolean finished() throws SQLException {
        throwFailure();
        if (workers.stream().anyMatch(Thread::isAlive)) {
            return false;
        }
        return true;
    }

    private void throwFailure() throws SQLException {
        Exception e = failure.get();
        if (e instanceof SQLException sql) {
            throw new SQLException("the live workload failed: " + sql.getMessage(), sql.getSQLState(), sql);
        }
        if (e != null) {
            throw new IllegalStateException("the live workload failed: " + e.getMessage(), e);
        }
    }

    /** The counts so far. */
    LiveTally tally() {
        return tally;
    }

    /** Seconds since {@link #start()}, up to the end of the workload once it ended. */
    double elapsedSeconds() {
        long until = running.get() > 0 || lastExitNanos.get() == 0 ? System.nanoTime()
                : Math.max(lastExitNanos.get(), stoppedEarly ? 0 : endNanos); // the last ticket may be due before the end
        return (until - startNanos) / 1e9;
    }

    /** Committed transactions per second since the start. */
    double achievedRate() {
        double seconds = elapsedSeconds();
        return seconds <= 0 ? 0 : tally.transactions() / seconds;
    }

    /** Stops the workers (a running transaction finishes or rolls back) and closes their connections. */
    @Override
    public void close() {
        stoppedEarly = running.get() > 0;
        stopping = true;
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
        for (Thread worker : workers) {
            try {
                worker.join(10_000); // one transaction at most: it commits or rolls back
                if (worker.isAlive()) {
                    worker.interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Connection connection : connections) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the server is about to stop; an unclosed demo connection goes with it
            }
        }
    }
}
