package io.bronzecdc.flink.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's figures that only the databases know, polled every {@link #POLL_INTERVAL} on a daemon thread of its
 * own with connections of its own, never on the path of a row: the sink's prepared transactions that are not yet
 * committed, and the WAL the replication slot keeps on the source server. A value the poller cannot read (the slot
 * not created yet, the database unreachable) is {@value #UNKNOWN}; a failure is logged once until the next success.
 *
 * <p>Registered by subtask 0 of the sink's committer only, because both figures belong to the whole pipeline.
 */
final class DatabaseGauges implements AutoCloseable {
    /** How often the databases are asked. A scrape in between sees the last answer. */
    static final Duration POLL_INTERVAL = Duration.ofSeconds(5);
    /** The value of a gauge the poller could not read. */
    static final long UNKNOWN = -1;

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseGauges.class);

    private final BronzeSink.Settings settings;
    private final SlotWatch slot;
    private final ScheduledExecutorService poller;
    private Connection bronze;
    private Connection source;
    private boolean failing;
    private volatile long pendingPreparedTransactions = UNKNOWN;
    private volatile long slotRetainedWalBytes = UNKNOWN;

    private DatabaseGauges(BronzeSink.Settings settings, SlotWatch slot) {
        this.settings = settings;
        this.slot = slot;
        this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "bronze-cdc database gauges " + settings.sinkId());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Registers the gauges in {@code group} and starts polling. */
    static DatabaseGauges register(MetricGroup group, BronzeSink.Settings settings, SlotWatch slot) {
        DatabaseGauges gauges = new DatabaseGauges(settings, slot);
        group.gauge(SinkMetrics.PENDING_PREPARED_TRANSACTIONS, () -> gauges.pendingPreparedTransactions);
        group.gauge(SinkMetrics.SLOT_RETAINED_WAL_BYTES, () -> gauges.slotRetainedWalBytes);
        gauges.poller.scheduleWithFixedDelay(gauges::poll, 0, POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return gauges;
    }

    private void poll() {
        try {
            bronze = open(bronze, settings.target());
            pendingPreparedTransactions = count(bronze, "SELECT count(*) FROM pg_prepared_xacts"
                    + " WHERE database = current_database() AND starts_with(gid, ?)", settings.gidPrefix());
            source = slot.source().equals(settings.target()) ? bronze : open(source, slot.source());
            // restart_lsn is the oldest WAL the slot still needs: everything from there on stays on disk.
            slotRetainedWalBytes = count(source, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint"
                    + " FROM pg_replication_slots WHERE slot_name = ? AND restart_lsn IS NOT NULL", slot.slotName());
            failing = false;
        } catch (SQLException | RuntimeException e) {
            pendingPreparedTransactions = UNKNOWN;
            slotRetainedWalBytes = UNKNOWN;
            if (!failing) {
                LOG.warn("bronze-cdc metrics {} and {} are unknown ({}) until the next poll succeeds: {}",
                        SinkMetrics.PENDING_PREPARED_TRANSACTIONS, SinkMetrics.SLOT_RETAINED_WAL_BYTES,
                        UNKNOWN, e.getMessage());
            }
            failing = true;
            closeQuietly();
        }
    }

    private static Connection open(Connection current, JdbcTarget database) throws SQLException {
        return current != null && !current.isClosed() ? current : database.connect();
    }

    /** The single number {@code sql} returns for {@code parameter}, or {@link #UNKNOWN} for no row. */
    private static long count(Connection connection, String sql, String parameter) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setQueryTimeout((int) POLL_INTERVAL.toSeconds());
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : UNKNOWN;
            }
        }
    }

    private void closeQuietly() {
        for (Connection connection : new Connection[] {bronze, source}) {
            try {
                if (connection != null) {
                    connection.close();
                }
            } catch (SQLException e) {
                LOG.debug("closing a metrics connection failed: {}", e.getMessage());
            }
        }
        bronze = null;
        source = null;
    }

    @Override
    public void close() throws InterruptedException {
        poller.shutdownNow();
        if (poller.awaitTermination(POLL_INTERVAL.toSeconds() + 5, TimeUnit.SECONDS)) {
            closeQuietly();
        }
    }
}
