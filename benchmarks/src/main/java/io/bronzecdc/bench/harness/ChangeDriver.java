package io.bronzecdc.bench.harness;

import io.bronzecdc.model.event.TableId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The seeded change workload of the harness: transactions of 1 to 50,000 rows, each one INSERT, UPDATE or DELETE
 * statement on {@code bench_wide} or {@code rental}, set-based so that large transactions cost the server, not the
 * driver. Every statement changes exactly the rows it names: inserts append ids above the highest, deletes remove
 * the lowest ids, updates pick a range between them. So the number of changes per table is known exactly, and two
 * databases loaded from one seed receive the same statements in the same order.
 *
 * <p>One transaction is one round trip: {@code BEGIN; <statement>; SELECT txid_current(); COMMIT}. Its commit time
 * is when that round trip returns, which is where the latency of a change begins.
 */
public final class ChangeDriver {
    /** A transaction committed by the driver. */
    public record Committed(long txId, TableId table, int rows, long committedNanos) {
    }

    /** What an offered rate achieved. */
    public record Offer(long changes, long transactions, double seconds) {
        public double changesPerSecond() {
            return seconds > 0 ? changes / seconds : 0;
        }
    }

    private static final class IdRange {
        long low;
        long high;

        IdRange(long low, long high) {
            this.low = low;
            this.high = high;
        }

        long size() {
            return high - low + 1;
        }
    }

    private final SplittableRandom random;
    private final long seed;
    private final Map<TableId, IdRange> ranges = new LinkedHashMap<>();
    private final Map<TableId, Long> changes = new LinkedHashMap<>();

    private ChangeDriver(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    /** A driver for the database of {@code c}, its id ranges read from the tables (ids must be contiguous). */
    public static ChangeDriver on(Connection c, long seed) throws SQLException {
        ChangeDriver driver = new ChangeDriver(seed);
        driver.ranges.put(BenchData.WIDE, range(c, "SELECT min(id), max(id), count(*) FROM public.bench_wide"));
        driver.ranges.put(BenchData.RENTAL,
                range(c, "SELECT min(rental_id), max(rental_id), count(*) FROM public.rental"));
        driver.ranges.keySet().forEach(t -> driver.changes.put(t, 0L));
        return driver;
    }

    private static IdRange range(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            long low = rs.getLong(1);
            long high = rs.getLong(2);
            long count = rs.getLong(3);
            if (count == 0) {
                return new IdRange(1, 0);
            }
            if (high - low + 1 != count) {
                throw new IllegalStateException("ids are not contiguous (" + sql + " gave " + low + ".." + high
                        + " for " + count + " rows): the driver needs the tables as BenchData loads them");
            }
            return new IdRange(low, high);
        }
    }

    /** Changes committed so far, per table. */
    public Map<TableId, Long> changes() {
        return Map.copyOf(changes);
    }

    /** All changes committed so far. */
    public long totalChanges() {
        return changes.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Commits about {@code total} changes in transactions of the sizes of {@code shares} (rows per transaction to
     * the share of the changes in transactions of that size), in a seeded order.
     */
    public Offer backlog(Connection c, long total, Map<Integer, Double> shares) throws SQLException {
        List<Integer> sizes = new ArrayList<>();
        new TreeMap<>(shares).forEach((size, share) -> {
            long transactions = Math.max(share > 0 ? 1 : 0, Math.round(total * share / size));
            for (long i = 0; i < transactions; i++) {
                sizes.add(size);
            }
        });
        Collections.shuffle(sizes, new java.util.Random(seed ^ total));
        long started = System.nanoTime();
        long rows = 0;
        for (int size : sizes) {
            rows += commit(c, size).rows();
        }
        return new Offer(rows, sizes.size(), (System.nanoTime() - started) / 1e9);
    }

    /**
     * Offers {@code rate} changes/s for {@code duration}: transactions of the sizes of {@code shares} (rows per
     * transaction to the share of transactions), paced so the changes committed follow {@code rate} over time; when
     * the server is slower the driver does not wait, and the offer records what it achieved.
     */
    public Offer offer(Connection c, int rate, Duration duration, Map<Integer, Double> shares,
            Consumer<Committed> onCommit) throws SQLException {
        long started = System.nanoTime();
        long end = started + duration.toNanos();
        long rows = 0;
        long transactions = 0;
        while (System.nanoTime() < end) {
            long due = started + (long) (rows * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            Committed committed = commit(c, pick(shares));
            onCommit.accept(committed);
            rows += committed.rows();
            transactions++;
        }
        return new Offer(rows, transactions, (System.nanoTime() - started) / 1e9);
    }

    private int pick(Map<Integer, Double> shares) {
        double r = random.nextDouble();
        double sum = 0;
        int last = 1;
        for (Map.Entry<Integer, Double> entry : new TreeMap<>(shares).entrySet()) {
            sum += entry.getValue();
            last = entry.getKey();
            if (r < sum) {
                return last;
            }
        }
        return last;
    }

    /** Commits one transaction of {@code size} rows on a table and with an operation picked by the seed. */
    Committed commit(Connection c, int size) throws SQLException {
        TableId table = random.nextDouble() < 0.6 ? BenchData.WIDE : BenchData.RENTAL;
        IdRange range = ranges.get(table);
        double op = random.nextDouble();
        String statement;
        if (op < 0.50 || range.size() < 2L * size) {
            statement = insert(table, range.high + 1, range.high + size);
            range.high += size;
        } else if (op < 0.85) {
            long from = range.low + random.nextLong(range.size() - size + 1);
            statement = update(table, from, from + size - 1);
        } else {
            statement = "DELETE FROM " + table.quoted() + " WHERE " + idColumn(table) + " BETWEEN " + range.low
                    + " AND " + (range.low + size - 1);
            range.low += size;
        }
        long txId = -1;
        try (Statement s = c.createStatement()) {
            boolean isResult = s.execute("BEGIN; " + statement + "; SELECT txid_current(); COMMIT");
            while (true) {
                if (isResult) {
                    try (ResultSet rs = s.getResultSet()) {
                        rs.next();
                        txId = rs.getLong(1);
                    }
                } else if (s.getUpdateCount() == -1) {
                    break;
                }
                isResult = s.getMoreResults();
            }
        }
        long committed = System.nanoTime();
        changes.merge(table, (long) size, Long::sum);
        return new Committed(txId, table, size, committed);
    }

    private static String idColumn(TableId table) {
        return table.equals(BenchData.WIDE) ? "id" : "rental_id";
    }

    private String insert(TableId table, long from, long to) {
        if (table.equals(BenchData.WIDE)) {
            return BenchData.insertWide(seed, from, to);
        }
        return "INSERT INTO public.rental (rental_id, rental_date, inventory_id, customer_id, return_date, staff_id,"
                + " last_update) SELECT g, timestamptz '2022-01-01 00:00:00+00' + g * interval '1 minute',"
                + " 1 + g % 4581, 1 + g % 599, NULL, 1 + g % 2, timestamptz '2022-08-01 00:00:00+00'"
                + " FROM generate_series(" + from + ", " + to + ") g";
    }

    private static String update(TableId table, long from, long to) {
        if (table.equals(BenchData.WIDE)) {
            return "UPDATE public.bench_wide SET amount = amount + 1, label = 'updated-' || id, active = NOT active,"
                    + " updated_at = updated_at + interval '1 second', version = version + 1"
                    + " WHERE id BETWEEN " + from + " AND " + to;
        }
        return "UPDATE public.rental SET return_date = rental_date + interval '3 days',"
                + " last_update = last_update + interval '1 second' WHERE rental_id BETWEEN " + from + " AND " + to;
    }
}
