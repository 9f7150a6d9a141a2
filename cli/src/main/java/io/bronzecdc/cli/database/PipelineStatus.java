package io.bronzecdc.cli.database;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The figures {@code bronze-cdc status} prints, read from the databases at one moment: per table from its bronze log,
 * the slot from {@code pg_replication_slots}, the engine's last run or commit from bronze's bookkeeping
 * ({@code bronze_batch_progress} for Spark, {@code bronze_sink_commit} for Flink).
 *
 * @param readAt the bronze database's {@code now()}
 * @param tables one line per captured table
 * @param slot the pipeline's slot; empty when it does not exist
 * @param engine what bronze records of the engine that writes it; empty when it records nothing yet
 */
record PipelineStatus(Instant readAt, List<TableFigures> tables, Optional<SlotFigures> slot,
        Optional<String> engine) {

    /**
     * One table's log.
     *
     * @param lastCommit the newest source commit time in the log; null when it holds snapshot rows only
     * @param lastLoad the newest load time; null when the log is empty
     * @param loadedLastMinute rows loaded in the minute before {@code readAt}
     */
    record TableFigures(TableId table, String log, long rows, long lastLsn, Instant lastCommit, Instant lastLoad,
            long loadedLastMinute) {
        /**
         * How stale the table's bronze is: {@code now - last commit_ts}, or {@code now - last load_ts} for a log of
         * snapshot rows only; null for an empty log.
         */
        Duration lag(Instant now) {
            Instant last = lastCommit != null ? lastCommit : lastLoad;
            return last == null ? null : Duration.between(last, now).isNegative() ? Duration.ZERO
                    : Duration.between(last, now);
        }
    }

    /**
     * The pipeline's replication slot.
     *
     * @param retainedBytes WAL the server keeps for it: {@code pg_current_wal_lsn() - restart_lsn}
     * @param unconfirmedBytes WAL not confirmed yet: {@code pg_current_wal_lsn() - confirmed_flush_lsn}
     */
    record SlotFigures(String name, boolean active, Integer pid, String application, long retainedBytes,
            long unconfirmedBytes, String confirmedFlushLsn, String walStatus) {
    }

    static PipelineStatus read(Connection bronze, Connection source, BronzeSchema schema, List<TableId> tables,
            String slot) throws SQLException {
        Instant now;
        try (Statement s = bronze.createStatement(); ResultSet rs = s.executeQuery("SELECT now()")) {
            rs.next();
            now = rs.getTimestamp(1).toInstant();
        }
        List<TableFigures> figures = new ArrayList<>();
        for (TableId table : tables) {
            try (Statement s = bronze.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*),"
                    + " coalesce(max(lsn), 0), max(commit_ts), max(load_ts),"
                    + " count(*) FILTER (WHERE load_ts > now() - interval '1 minute') FROM " + schema.tableOf(table))) {
                rs.next();
                figures.add(new TableFigures(table, schema.displayTableOf(table), rs.getLong(1), rs.getLong(2),
                        instant(rs.getTimestamp(3)), instant(rs.getTimestamp(4)), rs.getLong(5)));
            }
        }
        return new PipelineStatus(now, figures, slot(source, slot), engine(bronze, schema, slot));
    }

    private static Optional<SlotFigures> slot(Connection source, String slot) throws SQLException {
        try (PreparedStatement ps = source.prepareStatement("SELECT active, active_pid,"
                + " (SELECT application_name FROM pg_stat_activity a WHERE a.pid = s.active_pid),"
                + " coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn), 0)::bigint,"
                + " coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::bigint,"
                + " confirmed_flush_lsn::text, wal_status FROM pg_replication_slots s WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new SlotFigures(slot, rs.getBoolean(1), (Integer) rs.getObject(2), rs.getString(3),
                        rs.getLong(4), rs.getLong(5), rs.getString(6), rs.getString(7)));
            }
        }
    }

    /**
     * What bronze's bookkeeping says of the engine: the Spark engine's progress row of this slot (runs, last run, the
     * WAL position covered), the Flink sinks' newest commit (pgoutput source: its progress rows; Flink CDC source: its
     * commit markers).
     */
    private static Optional<String> engine(Connection bronze, BronzeSchema schema, String slot) throws SQLException {
        List<String> found = new ArrayList<>();
        if (exists(bronze, schema.quoted("bronze_batch_progress"))) {
            try (PreparedStatement ps = bronze.prepareStatement("SELECT runs, updated_at, covered_lsn::text FROM "
                    + schema.quoted("bronze_batch_progress") + " WHERE slot_name = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        found.add("spark: " + rs.getLong(1) + " micro-batch runs, the last at "
                                + rs.getTimestamp(2).toInstant() + ", covering WAL up to " + rs.getString(3));
                    }
                }
            }
        }
        if (exists(bronze, schema.quoted("bronze_sink_commit"))) {
            try (Statement s = bronze.createStatement(); ResultSet rs = s.executeQuery("SELECT max(prepared_at),"
                    + " count(*) FROM " + schema.quoted("bronze_sink_commit"))) {
                if (rs.next() && rs.getTimestamp(1) != null) {
                    found.add("flink: last checkpoint commit prepared at " + rs.getTimestamp(1).toInstant());
                }
            }
        }
        if (exists(bronze, schema.quoted("bronze_log_progress"))) {
            try (Statement s = bronze.createStatement(); ResultSet rs = s.executeQuery("SELECT max(updated_at),"
                    + " count(*) FROM " + schema.quoted("bronze_log_progress"))) {
                if (rs.next() && rs.getTimestamp(1) != null) {
                    found.add("flink: last bronze commit at " + rs.getTimestamp(1).toInstant() + " (" + rs.getLong(2)
                            + " tables)");
                }
            }
        }
        return found.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", found));
    }

    private static boolean exists(Connection c, String relation) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, relation);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
