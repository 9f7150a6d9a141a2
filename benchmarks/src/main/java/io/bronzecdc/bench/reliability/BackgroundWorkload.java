package io.bronzecdc.bench.reliability;

import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.testkit.workload.CommitInDoubtException;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The seeded I/U/D workload of a reliability run, on a thread of its own at a bounded rate, through faults: when the
 * server goes away it reconnects (bounded waits), and a transaction whose COMMIT got no answer is asked about once the
 * server is back ({@code pg_xact_status}), so the {@link Ledger} holds exactly what the server committed.
 */
final class BackgroundWorkload implements AutoCloseable {
    /** How long the workload waits for the server to come back before it gives up and fails the run. */
    static final Duration RECONNECT_TIMEOUT = Duration.ofSeconds(120);
    /** How long a transaction whose COMMIT got no answer may stay {@code in progress} on the server. */
    private static final Duration IN_PROGRESS_TIMEOUT = Duration.ofSeconds(60);
    /** SQLSTATE of {@code pg_xact_status} for an id the server has not handed out (yet). */
    private static final String INVALID_PARAMETER_VALUE = "22023";

    private final Connector connector;
    private final ChangeWorkload workload;
    private final Ledger ledger;
    private final long maxTransactions;
    private final long periodNanos;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong inDoubt = new AtomicLong();
    private final Thread thread;
    private volatile Throwable failure;
    /** Whether the workload had a connection before: every later one is a reconnection after a fault. */
    private boolean connected;

    /** Opens a connection to the source database. */
    interface Connector {
        Connection connect() throws SQLException;
    }

    /**
     * Starts the workload.
     *
     * @param ratePerSecond transactions per second at most
     * @param maxTransactions it stops by itself after this many committed transactions (a bounded loop)
     */
    BackgroundWorkload(Connector connector, long seed, Ledger ledger, int ratePerSecond, long maxTransactions) {
        this.connector = connector;
        this.workload = new ChangeWorkload(seed, 4);
        this.ledger = ledger;
        this.maxTransactions = maxTransactions;
        this.periodNanos = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
        this.thread = new Thread(this::loop, "reliability-workload");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        Connection c = null;
        long next = System.nanoTime();
        try {
            while (running.get() && ledger.transactions() < maxTransactions) {
                if (c == null) {
                    c = reconnect();
                }
                try {
                    CommittedTransaction transaction = workload.runTransaction(c);
                    ledger.add(transaction, walPosition(c));
                } catch (CommitInDoubtException e) {
                    inDoubt.incrementAndGet();
                    close(c);
                    c = reconnect();
                    if (committed(c, e.transaction())) {
                        ledger.add(e.transaction(), -1);
                    }
                } catch (SQLException e) {
                    // Failed before COMMIT (the server went away mid-transaction): nothing of it was committed.
                    close(c);
                    c = null;
                }
                next += periodNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else {
                    next = System.nanoTime();
                }
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            close(c);
        }
    }

    private Connection reconnect() throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + RECONNECT_TIMEOUT.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline && running.get()) {
            try {
                Connection c = connector.connect();
                if (connected) {
                    reconnects.incrementAndGet();
                }
                connected = true;
                return c;
            } catch (SQLException e) {
                last = e;
                Thread.sleep(200);
            }
        }
        if (!running.get()) {
            throw new SQLException("the workload was stopped while it waited for the server");
        }
        throw new SQLException("the source server did not accept connections again within " + RECONNECT_TIMEOUT, last);
    }

    /**
     * The server's WAL insert position now, right after a commit returned: the commit record ends at or before it.
     * -1 when the server went away meanwhile (the next transaction notices).
     */
    private static long walPosition(Connection c) {
        try (var s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT (pg_current_wal_insert_lsn()"
                + " - '0/0'::pg_lsn)::bigint")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    /**
     * Whether the server committed the transaction whose commit was in doubt. A transaction whose connection broke
     * may still be {@code in progress} for a moment: its backend has not yet noticed the client is gone, or is still
     * committing. It ends either way, so this asks again until the server says {@code committed} or {@code aborted}.
     *
     * <p>After a crash (immediate shutdown) the server may answer "transaction ID ... is in the future": the
     * transaction's id was handed out but never reached the WAL, so recovery restarted the counter below it. A commit
     * is always in the WAL before the server answers it, so that transaction was not committed. (Its id will be handed
     * out again; asking at once, before this workload's next transaction, keeps that window short. Should another
     * session's reuse answer {@code committed}, the check reports the transaction's changes as lost: a false failure,
     * never a missed one, since a committed transaction's id is never reused.)
     */
    static boolean committed(Connection c, CommittedTransaction transaction) throws SQLException,
            InterruptedException {
        long deadline = System.nanoTime() + IN_PROGRESS_TIMEOUT.toNanos();
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_xact_status(?::text::xid8)")) {
            ps.setLong(1, transaction.txId());
            while (true) {
                String status;
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    status = rs.getString(1);
                } catch (SQLException e) {
                    if (INVALID_PARAMETER_VALUE.equals(e.getSQLState()) && e.getMessage() != null
                            && e.getMessage().contains("in the future")) {
                        return false;
                    }
                    throw e;
                }
                if (!"in progress".equals(status)) {
                    return "committed".equals(status);
                }
                if (System.nanoTime() > deadline) {
                    throw new SQLException("transaction " + transaction.txId() + ", whose COMMIT got no answer, was"
                            + " still in progress " + IN_PROGRESS_TIMEOUT.toSeconds() + " s later");
                }
                Thread.sleep(20);
            }
        }
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // a broken connection: nothing to release
            }
        }
    }

    /** Connections opened again after one broke (the server went away). */
    long reconnects() {
        return reconnects.get();
    }

    /** Commits that got no answer and were asked about afterwards. */
    long inDoubt() {
        return inDoubt.get();
    }

    /** Fails with the workload's own failure, if it had one. */
    void requireHealthy() {
        if (failure != null) {
            throw new IllegalStateException("the workload failed: " + failure.getMessage(), failure);
        }
    }

    /** Stops the workload and waits for its last transaction. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(RECONNECT_TIMEOUT.toMillis() + 30_000);
        if (thread.isAlive()) {
            throw new IllegalStateException("the workload thread did not stop");
        }
        requireHealthy();
    }
}
