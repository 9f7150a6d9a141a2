package io.bronzecdc.model.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A seeded background workload for schema-change tests: inserts, updates and deletes rows of a table with a
 * {@code serial} key {@code id} and an integer {@code touched}, one change per transaction, until closed. It
 * touches only those two columns, so the schema changes a test makes meanwhile never break its statements.
 */
public final class RowChurn implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong statements = new AtomicLong();
    private final AtomicLong rowChanges = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;

    /**
     * Starts the workload.
     *
     * @param connection its own connection, in auto-commit mode; closed with the workload
     * @param table the table, as SQL (quoted where needed)
     */
    public RowChurn(Connection connection, String table, long seed) {
        thread = new Thread(() -> {
            Random random = new Random(seed);
            try (connection;
                    PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table
                            + " (touched) VALUES (0)");
                    PreparedStatement update = connection.prepareStatement("UPDATE " + table
                            + " SET touched = touched + 1 WHERE id = (SELECT min(id) FROM " + table + " WHERE id >= ?)");
                    PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table
                            + " WHERE id = (SELECT max(id) FROM " + table + " WHERE id <= ?)")) {
                while (running.get()) {
                    int pick = random.nextInt(10);
                    int around = 1 + random.nextInt((int) (100 + statements.get()));
                    PreparedStatement statement = pick < 4 ? insert : pick < 8 ? update : delete;
                    if (statement != insert) {
                        statement.setInt(1, around);
                    }
                    rowChanges.addAndGet(statement.executeUpdate());
                    statements.incrementAndGet();
                }
            } catch (SQLException | RuntimeException e) {
                failure.set(e);
            }
        }, "row-churn");
        thread.start();
    }

    /** Waits until {@code count} more statements ran. */
    public void awaitMore(long count) {
        long target = statements.get() + count;
        await().atMost(Duration.ofSeconds(60)).until(() -> statements.get() >= target || failure.get() != null);
        assertThat(failure.get()).as("workload failure").isNull();
    }

    /** Rows inserted, updated or deleted so far: the change events the source logged. */
    public long rowChanges() {
        return rowChanges.get();
    }

    /** Stops the workload and waits for its last statement. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join();
        assertThat(failure.get()).as("workload failure").isNull();
    }
}
