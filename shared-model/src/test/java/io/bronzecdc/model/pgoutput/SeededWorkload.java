package io.bronzecdc.model.pgoutput;

import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.TableId;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.postgresql.PGConnection;

/**
 * Seeded mixed transactions on customer, payment, rental and {@code pgo_big} (a 1 MB text column): inserts,
 * updates, deletes, COPYs and updates that leave the big value alone. It records, in commit order, each
 * transaction's xid and each change with the row as the server gave it ({@code to_jsonb} under UTC: the
 * after-image through RETURNING for I and U, the before-image for D).
 */
final class SeededWorkload {
    /** One change as the workload made it. */
    record Change(TableId table, Op op, String json) {
    }

    private static final TableId CUSTOMER = TableId.of("customer");
    private static final TableId PAYMENT = TableId.of("payment");
    private static final TableId RENTAL = TableId.of("rental");
    static final TableId BIG = TableId.of("pgo_big");

    private final Connection connection;
    private final Random random;
    private final List<Change> changes = new ArrayList<>();
    private final List<Long> xids = new ArrayList<>();
    private final List<Integer> customers;
    private final List<Integer> payments;
    private final List<Integer> rentals;
    private int nextCustomer;
    private int nextPayment;
    private int nextRental;

    SeededWorkload(Connection connection, long seed) throws SQLException {
        this.connection = connection;
        this.random = new Random(seed);
        this.customers = ids("SELECT customer_id FROM customer ORDER BY 1");
        this.payments = ids("SELECT payment_id FROM payment ORDER BY 1");
        this.rentals = ids("SELECT rental_id FROM rental ORDER BY 1");
        nextCustomer = 1 + customers.get(customers.size() - 1);
        nextPayment = 1 + payments.get(payments.size() - 1);
        nextRental = 1 + rentals.get(rentals.size() - 1);
    }

    /** Runs {@code transactions} transactions of 1 to 6 statements each, then the big-value updates. */
    void run(int transactions) throws SQLException {
        connection.setAutoCommit(false);
        for (int t = 0; t < transactions; t++) {
            int statements = 1 + random.nextInt(6);
            for (int s = 0; s < statements; s++) {
                statement(random.nextInt(12));
            }
            commit();
        }
        String mb = "(SELECT string_agg(md5(i::text), '') FROM generate_series(1, 32768) i)";
        record(BIG, Op.UPDATE, "UPDATE pgo_big AS r SET big = " + mb + ", n = n + 1 WHERE id = 1 RETURNING to_jsonb(r)");
        commit();
        record(BIG, Op.UPDATE, "UPDATE pgo_big AS r SET n = n + 1 WHERE id = 1 RETURNING to_jsonb(r)");
        record(CUSTOMER, Op.UPDATE, "UPDATE customer AS r SET active = 0 WHERE customer_id = " + pick(customers)
                + " RETURNING to_jsonb(r)");
        commit();
        connection.setAutoCommit(true);
    }

    List<Change> changes() {
        return changes;
    }

    /** The xids of the committed transactions, in commit order. */
    List<Long> xids() {
        return xids;
    }

    private void statement(int kind) throws SQLException {
        switch (kind) {
            case 0 -> {
                int id = nextCustomer++;
                customers.add(id);
                record(CUSTOMER, Op.INSERT, "INSERT INTO customer AS r VALUES (" + id + ", " + (1 + random.nextInt(2))
                        + ", 'FIRST" + id + "', 'Last ''" + id + "', " + (random.nextBoolean() ? "NULL" : "'c" + id
                        + "@example.org'") + ", " + random.nextInt(600) + ", " + random.nextBoolean()
                        + ", '2022-02-14', '2022-02-15 09:57:20." + random.nextInt(1_000_000) + "+00', 1)"
                        + " RETURNING to_jsonb(r)");
            }
            case 1 -> record(CUSTOMER, Op.UPDATE, "UPDATE customer AS r SET email = 'u" + random.nextInt(1000)
                    + "@example.org', last_update = clock_timestamp() WHERE customer_id = " + pick(customers)
                    + " RETURNING to_jsonb(r)");
            case 2 -> record(CUSTOMER, Op.DELETE, "DELETE FROM customer AS r WHERE customer_id = "
                    + remove(customers) + " RETURNING to_jsonb(r)");
            case 3 -> {
                int id = nextPayment++;
                payments.add(id);
                record(PAYMENT, Op.INSERT, "INSERT INTO payment AS r VALUES (" + id + ", 1, 2, 3, "
                        + random.nextInt(1000) / 100.0 + ", '2022-0" + (1 + random.nextInt(7)) + "-1"
                        + random.nextInt(10) + " 10:00:0" + random.nextInt(10) + "." + random.nextInt(1000)
                        + "+00') RETURNING to_jsonb(r)");
            }
            case 4 -> record(PAYMENT, Op.UPDATE, "UPDATE payment AS r SET amount = " + random.nextInt(100_00) / 100.0
                    + " WHERE payment_id = " + pick(payments) + " RETURNING to_jsonb(r)");
            case 5 -> record(PAYMENT, Op.DELETE, "DELETE FROM payment AS r WHERE payment_id = " + remove(payments)
                    + " RETURNING to_jsonb(r)");
            case 6 -> {
                int id = nextRental++;
                rentals.add(id);
                record(RENTAL, Op.INSERT, "INSERT INTO rental AS r VALUES (" + id + ", '2022-05-24 22:53:30+00', "
                        + random.nextInt(4000) + ", 1, NULL, 1, clock_timestamp()) RETURNING to_jsonb(r)");
            }
            case 7 -> record(RENTAL, Op.UPDATE, "UPDATE rental AS r SET return_date = clock_timestamp()"
                    + " WHERE rental_id = " + pick(rentals) + " RETURNING to_jsonb(r)");
            case 8 -> record(RENTAL, Op.DELETE, "DELETE FROM rental AS r WHERE rental_id = " + remove(rentals)
                    + " RETURNING to_jsonb(r)");
            case 9 -> copyCustomers();
            case 10 -> copyPayments();
            default -> record(BIG, Op.UPDATE, "UPDATE pgo_big AS r SET n = n + 1 WHERE id = 1 RETURNING to_jsonb(r)");
        }
    }

    private void copyCustomers() throws SQLException {
        int first = nextCustomer;
        StringBuilder rows = new StringBuilder();
        for (int i = 0, n = 2 + random.nextInt(4); i < n; i++) {
            int id = nextCustomer++;
            customers.add(id);
            rows.append(id).append("\t1\tCOPY\tRow ").append(id).append("\t\\N\t5\tt\t2022-02-14\t")
                    .append("2022-02-15 09:57:20+05:30\t").append(random.nextInt(2)).append('\n');
        }
        copy("COPY customer FROM STDIN", rows);
        record(CUSTOMER, Op.INSERT, "SELECT to_jsonb(r) FROM customer r WHERE customer_id >= " + first
                + " ORDER BY customer_id");
    }

    /** All rows in one month: COPY buffers rows per partition, so rows of several partitions may be reordered. */
    private void copyPayments() throws SQLException {
        int first = nextPayment;
        int month = 1 + random.nextInt(7);
        StringBuilder rows = new StringBuilder();
        for (int i = 0, n = 2 + random.nextInt(4); i < n; i++) {
            int id = nextPayment++;
            payments.add(id);
            rows.append(id).append("\t1\t1\t1\t").append(random.nextInt(1000) / 100.0).append("\t2022-0")
                    .append(month).append("-05 0").append(i).append(":00:00+00\n");
        }
        copy("COPY payment FROM STDIN", rows);
        record(PAYMENT, Op.INSERT, "SELECT to_jsonb(r) FROM payment r WHERE payment_id >= " + first
                + " ORDER BY payment_id");
    }

    private void copy(String sql, StringBuilder rows) throws SQLException {
        try {
            connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, new StringReader(rows.toString()));
        } catch (java.io.IOException e) {
            throw new SQLException("COPY failed: " + sql, e);
        }
    }

    private void record(TableId table, Op op, String sql) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                changes.add(new Change(table, op, rs.getString(1)));
            }
        }
    }

    private void commit() throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_current_xact_id()::text::bigint % 4294967296")) {
            rs.next();
            xids.add(rs.getLong(1));
        }
        connection.commit();
    }

    private List<Integer> ids(String sql) throws SQLException {
        List<Integer> ids = new ArrayList<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
        }
        return ids;
    }

    private int pick(List<Integer> ids) {
        return ids.get(random.nextInt(ids.size()));
    }

    private int remove(List<Integer> ids) {
        return ids.remove(random.nextInt(ids.size()));
    }
}
