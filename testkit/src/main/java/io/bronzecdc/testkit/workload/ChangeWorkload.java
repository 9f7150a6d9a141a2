package io.bronzecdc.testkit.workload;

import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.testkit.pagila.PagilaTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded live workload on the Pagila source tables: transactions of one or more INSERT, UPDATE and DELETE
 * statements mixed over customer, payment and rental, each changing exactly one row. It records what it
 * committed, in commit order, so tests compare a bronze log with the history the source really had.
 *
 * <p>Deterministic for a seed and a starting database: rows are picked by id ranges the generator tracks, not by
 * {@code random()} in SQL. Runs on one connection, so commit order is the order of {@link #run} calls. Several
 * instances (other seeds) may run on other connections at once, as the demo does; two of their transactions can
 * then deadlock on a row both change, and PostgreSQL rolls one back ({@code 40P01}), which the caller retries or
 * counts.
 */
public final class ChangeWorkload {
    private static final String[] NAMES = {"ADA", "GRACE", "ALAN", "EDSGER", "BARBARA", "KEN", "ZOË", "O'NEIL"};

    private final SplittableRandom random;
    private final int maxStatementsPerTransaction;

    /**
     * @param seed the random seed
     * @param maxStatementsPerTransaction each transaction runs 1..this many statements
     */
    public ChangeWorkload(long seed, int maxStatementsPerTransaction) {
        if (maxStatementsPerTransaction < 1) {
            throw new IllegalArgumentException("maxStatementsPerTransaction must be >= 1 but was "
                    + maxStatementsPerTransaction);
        }
        this.random = new SplittableRandom(seed);
        this.maxStatementsPerTransaction = maxStatementsPerTransaction;
    }

    /** Runs {@code transactions} transactions on {@code connection} and returns them in commit order. */
    public List<CommittedTransaction> run(Connection connection, int transactions) throws SQLException {
        List<CommittedTransaction> committed = new ArrayList<>(transactions);
        for (int i = 0; i < transactions; i++) {
            committed.add(runTransaction(connection));
        }
        return committed;
    }

    /** Runs one transaction of 1..max statements and commits it. */
    public CommittedTransaction runTransaction(Connection connection) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            // One round trip for both: the time zone for this transaction only, and its id (assigned here).
            long txId;
            try (ResultSet rs = s.executeQuery("SELECT set_config('TimeZone', 'UTC', true),"
                    + " pg_current_xact_id()::text::bigint")) {
                rs.next();
                txId = rs.getLong(2);
            }
            int statements = 1 + random.nextInt(maxStatementsPerTransaction);
            List<AppliedChange> changes = new ArrayList<>(statements);
            for (int i = 0; i < statements; i++) {
                PagilaTable table = PagilaTable.values()[random.nextInt(PagilaTable.values().length)];
                changes.add(change(connection, table));
            }
            try {
                connection.commit();
            } catch (SQLException e) {
                throw new CommitInDoubtException(new CommittedTransaction(txId, Instant.now(), changes), e);
            }
            return new CommittedTransaction(txId, Instant.now(), changes);
        } catch (CommitInDoubtException e) {
            throw e;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        } finally {
            try {
                connection.setAutoCommit(autoCommit);
            } catch (SQLException closed) {
                // the connection broke (a server restart): the caller opens another
            }
        }
    }

    private AppliedChange change(Connection c, PagilaTable table) throws SQLException {
        int dice = random.nextInt(10);
        Op op = dice < 5 ? Op.INSERT : dice < 8 ? Op.UPDATE : Op.DELETE;
        if (op != Op.INSERT) {
            String key = one(c, (op == Op.UPDATE ? update(table) : delete(table)), random.nextInt(1, maxId(table) + 1));
            if (key != null) {
                return new AppliedChange(table.id(), op, key);
            }
            op = Op.INSERT; // no row at or above the picked id any more: insert instead
        }
        return new AppliedChange(table.id(), Op.INSERT, one(c, insert(table), -1));
    }

    private int maxId(PagilaTable table) {
        return switch (table) {
            case CUSTOMER -> 600;
            case PAYMENT -> 32_100;
            case RENTAL -> 16_050;
        };
    }

    private String insert(PagilaTable table) {
        String name = NAMES[random.nextInt(NAMES.length)];
        return switch (table) {
            case CUSTOMER -> "INSERT INTO customer AS t (store_id, first_name, last_name, email, address_id, active)"
                    + " VALUES (" + (1 + random.nextInt(2)) + ", '" + name.replace("'", "''") + "', 'LIVE', "
                    + (random.nextBoolean() ? "NULL" : "'live@example.org'") + ", " + (1 + random.nextInt(600))
                    + ", 1) RETURNING " + keyOf(table);
            case PAYMENT -> "INSERT INTO payment AS t (customer_id, staff_id, rental_id, amount, payment_date)"
                    + " VALUES (" + (1 + random.nextInt(599)) + ", " + (1 + random.nextInt(2)) + ", "
                    + (1 + random.nextInt(16_044)) + ", " + random.nextInt(1, 1200) / 100.0 + ", timestamptz"
                    + " '2022-01-01 00:00:00+00' + make_interval(secs => " + random.nextInt(0, 18_000_000)
                    + " + 0.000001 * " + random.nextInt(1_000_000) + ")) RETURNING " + keyOf(table);
            case RENTAL -> "INSERT INTO rental AS t (rental_date, inventory_id, customer_id, return_date, staff_id)"
                    + " VALUES (now(), " + (1 + random.nextInt(4581)) + ", " + (1 + random.nextInt(599))
                    + ", NULL, " + (1 + random.nextInt(2)) + ") RETURNING " + keyOf(table);
        };
    }

    private String update(PagilaTable table) {
        return switch (table) {
            case CUSTOMER -> "UPDATE customer AS t SET email = lower(first_name) || '." + random.nextInt(1000)
                    + "@example.org', last_update = now() WHERE customer_id = (SELECT min(customer_id) FROM customer"
                    + " WHERE customer_id >= ?) RETURNING " + keyOf(table);
            case PAYMENT -> "UPDATE payment AS t SET amount = " + random.nextInt(1, 1200) / 100.0
                    + " WHERE payment_id = (SELECT min(payment_id) FROM payment WHERE payment_id >= ?) RETURNING "
                    + keyOf(table);
            case RENTAL -> "UPDATE rental AS t SET return_date = now(), last_update = now()"
                    + " WHERE rental_id = (SELECT min(rental_id) FROM rental WHERE rental_id >= ?) RETURNING "
                    + keyOf(table);
        };
    }

    private static String delete(PagilaTable table) {
        String id = table.id().name() + "_id";
        return "DELETE FROM " + table.id().name() + " AS t WHERE " + id + " = (SELECT min(" + id + ") FROM "
                + table.id().name() + " WHERE " + id + " >= ?) RETURNING " + keyOf(table);
    }

    /** The primary key as jsonb text, the form the validators fold by. */
    private static String keyOf(PagilaTable table) {
        return "jsonb_build_object(" + String.join(", ", table.primaryKey().stream()
                .map(column -> "'" + column + "', t." + column).toList()) + ")::text";
    }

    /** Runs a one-row statement; returns its key, or null when it matched no row. */
    private static String one(Connection c, String sql, int id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (id >= 0) {
                ps.setInt(1, id);
            }
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                String key = rs.getString(1);
                if (rs.next()) {
                    throw new IllegalStateException("workload statement changed more than one row: " + sql);
                }
                return key;
            }
        }
    }

    /** The tables the workload changes. */
    public static List<TableId> tables() {
        return java.util.Arrays.stream(PagilaTable.values()).map(PagilaTable::id).toList();
    }
}
