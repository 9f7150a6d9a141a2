package io.bronzecdc.flink.sink;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import org.apache.flink.api.connector.sink2.Committer;

/**
 * Commits the sink's prepared transactions once their checkpoint is complete. After a failover Flink retries
 * committables; a transaction that is no longer prepared was either committed before the failure (its marker row
 * is in {@code bronze_sink_commit}) or is lost, which fails the job loudly.
 */
final class PreparedTransactionCommitter implements Committer<String> {
    private static final String UNDEFINED_OBJECT = "42704";

    private final BronzeSink.Settings settings;
    private Connection connection;

    PreparedTransactionCommitter(BronzeSink.Settings settings) {
        this.settings = settings;
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
        try (Statement s = connection.createStatement()) {
            s.execute("COMMIT PREPARED '" + gid + "'");
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
        if (connection != null) {
            connection.close();
        }
    }
}
