package io.bronzecdc.flink.sink;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.metrics.MetricGroup;

/**
 * Commits the sink's prepared transactions once their checkpoint is complete. After a failover Flink retries
 * committables; a transaction that is no longer prepared was either committed before the failure (its marker row
 * is in {@code bronze_sink_commit}) or is lost, which fails the job loudly.
 *
 * <p>Metrics ({@link SinkMetrics}): each subtask reports the latency of its last commit; subtask 0 also runs the
 * {@link DatabaseGauges} poller (pending prepared transactions, the slot's retained WAL).
 */
final class PreparedTransactionCommitter implements Committer<String> {
    private static final String UNDEFINED_OBJECT = "42704";

    private final BronzeSink.Settings settings;
    private final DatabaseGauges databaseGauges;
    private Connection connection;
    private volatile long commitLatencyMillis;

    PreparedTransactionCommitter(BronzeSink.Settings settings, SlotWatch slot, CommitterInitContext context) {
        this.settings = settings;
        MetricGroup metrics = context.metricGroup().addGroup(SinkMetrics.GROUP);
        metrics.gauge(SinkMetrics.COMMIT_LATENCY_MILLIS, () -> commitLatencyMillis);
        this.databaseGauges = slot != null && context.getTaskInfo().getIndexOfThisSubtask() == 0
                ? DatabaseGauges.register(metrics, settings, slot) : null;
    }

    @Override
    public void commit(Collection<CommitRequest<String>> requests) throws IOException {
        try {
            if (connection == null || connection.isClosed()) {
                connection = settings.target().connect();
            }
            for (CommitRequest<String> request : requests) {
                commit(request);
            }
        } catch (SQLException e) {
            throw new IOException("COMMIT PREPARED on " + settings.target().jdbcUrl() + " failed: " + e.getMessage(), e);
        }
    }

    private void commit(CommitRequest<String> request) throws SQLException {
        String gid = request.getCommittable();
        long preparedAgoMillis = preparedAgoMillis(gid);
        long started = System.nanoTime();
        try (Statement s = connection.createStatement()) {
            s.execute("COMMIT PREPARED '" + gid + "'");
            if (preparedAgoMillis >= 0) {
                commitLatencyMillis = preparedAgoMillis + (System.nanoTime() - started) / 1_000_000;
            }
        } catch (SQLException e) {
            if (!UNDEFINED_OBJECT.equals(e.getSQLState())) {
                throw e;
            }
            if (markerExists(gid)) {
                request.signalAlreadyCommitted();
            } else {
                request.signalFailedWithKnownReason(new IllegalStateException("prepared bronze transaction " + gid
                        + " is neither pending nor committed, so its rows are lost. Someone ran ROLLBACK PREPARED on"
                        + " it or the database was restored from a backup; rebuild the bronze schema from a new"
                        + " snapshot"));
            }
        }
    }

    /**
     * How long ago the server prepared {@code gid}, by the server's own clock (no skew with this JVM's); -1 when it is
     * not prepared (any more). One small query per commit, that is per checkpoint and subtask.
     */
    private long preparedAgoMillis(String gid) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT (extract(epoch FROM clock_timestamp() - prepared)"
                + " * 1000)::bigint FROM pg_prepared_xacts WHERE gid = ?")) {
            ps.setString(1, gid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Math.max(0, rs.getLong(1)) : -1;
            }
        }
    }

    private boolean markerExists(String gid) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT 1 FROM " + settings.schema() + ".bronze_sink_commit WHERE gid = ?")) {
            ps.setString(1, gid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (databaseGauges != null) {
                databaseGauges.close();
            }
        } finally {
            if (connection != null) {
                connection.close();
            }
        }
    }
}
