package io.bronzecdc.bench.harness;

import io.bronzecdc.bench.report.BenchReport.Latency;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Times each committed transaction from its COMMIT returning to the driver until a query on bronze, from the probe's
 * own connection, first returns one of its rows. The probe polls every {@value #POLL_MILLIS} ms for rows above the
 * highest lsn it has seen, in every table at once.
 */
public final class LatencyProbe implements AutoCloseable {
    static final long POLL_MILLIS = 5;

    private final Connection bronze;
    private final PreparedStatement poll;
    private final long[] seenLsn;
    private final Map<Long, Long> committedNanos = new ConcurrentHashMap<>();
    private final Map<Long, Long> seenNanos = new ConcurrentHashMap<>();
    private final List<Long> latenciesNanos = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile SQLException failure;

    private LatencyProbe(Connection bronze, BronzeSchema schema, List<TableId> tables) throws SQLException {
        this.bronze = bronze;
        this.seenLsn = new long[tables.size()];
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < tables.size(); i++) {
            sql.append(i == 0 ? "" : " UNION ALL ").append("SELECT ").append(i).append(", lsn, tx_id FROM ")
                    .append(schema.tableOf(tables.get(i))).append(" WHERE lsn > ?");
        }
        this.poll = bronze.prepareStatement(sql.toString());
        try (ResultSet rs = bronze.createStatement().executeQuery(maxLsnQuery(schema, tables))) {
            rs.next();
            for (int i = 0; i < tables.size(); i++) {
                seenLsn[i] = rs.getLong(i + 1);
            }
        }
        this.thread = new Thread(this::run, "latency-probe");
        thread.setDaemon(true);
    }

    /** Starts a probe on the bronze logs of {@code tables}, from the rows they hold now. */
    public static LatencyProbe start(Supplier<Connection> connect, BronzeSchema schema, List<TableId> tables)
            throws SQLException {
        LatencyProbe probe = new LatencyProbe(connect.get(), schema, tables);
        probe.thread.start();
        return probe;
    }

    private static String maxLsnQuery(BronzeSchema schema, List<TableId> tables) {
        return "SELECT " + String.join(", ", tables.stream()
                .map(t -> "(SELECT coalesce(max(lsn), 0) FROM " + schema.tableOf(t) + ")").toList());
    }

    /** Records that transaction {@code txId} committed at {@code nanos} ({@link System#nanoTime()}). */
    public synchronized void committed(long txId, long nanos) {
        Long seen = seenNanos.remove(txId);
        if (seen != null) {
            // Seen before the driver's thread got back from the commit: the change was visible at once.
            record(Math.max(0, seen - nanos));
        } else {
            committedNanos.put(txId, nanos);
        }
    }

    private void run() {
        while (running) {
            try {
                for (int i = 0; i < seenLsn.length; i++) {
                    poll.setLong(i + 1, seenLsn[i]);
                }
                try (ResultSet rs = poll.executeQuery()) {
                    match(rs);
                }
                TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
            } catch (SQLException e) {
                failure = e;
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Matches the rows of one poll with the commits, under the lock {@link #committed} takes. */
    private synchronized void match(ResultSet rs) throws SQLException {
        long now = System.nanoTime();
        while (rs.next()) {
            int table = rs.getInt(1);
            seenLsn[table] = Math.max(seenLsn[table], rs.getLong(2));
            long txId = rs.getLong(3);
            if (rs.wasNull()) {
                continue;
            }
            Long committed = committedNanos.remove(txId);
            if (committed != null) {
                record(now - committed);
            } else if (!seenNanos.containsKey(txId)) {
                seenNanos.put(txId, now);
            }
        }
    }

    private synchronized void record(long nanos) {
        latenciesNanos.add(nanos);
    }

    /** Transactions committed but not seen in bronze yet. */
    public int pending() {
        return committedNanos.size();
    }

    /** The latencies so far, or {@code null} when none was measured. */
    public synchronized Latency latency() {
        if (failure != null) {
            throw new IllegalStateException("the latency probe failed: " + failure.getMessage(), failure);
        }
        return summarize(latenciesNanos.stream().mapToLong(Long::longValue).toArray());
    }

    /** Percentiles and a CDF of at most 200 points of {@code nanos}; {@code null} when empty. */
    static Latency summarize(long[] nanos) {
        if (nanos.length == 0) {
            return null;
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        List<double[]> cdf = new ArrayList<>();
        int points = Math.min(200, sorted.length);
        for (int p = 1; p <= points; p++) {
            int index = (int) Math.ceil((double) p * sorted.length / points) - 1;
            cdf.add(new double[] {sorted[index] / 1e6, (index + 1.0) / sorted.length});
        }
        return new Latency(sorted.length, percentile(sorted, 0.50), percentile(sorted, 0.95),
                percentile(sorted, 0.99), sorted[sorted.length - 1] / 1e6, cdf);
    }

    private static double percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, index)] / 1e6;
    }

    @Override
    public void close() throws SQLException {
        running = false;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        bronze.close();
    }
}
