package io.bronzecdc.model.validate;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-table integrity checks (invariants 1 to 4 and 6) as SQL over one bronze table. Each query returns
 * the number of offending rows and an example.
 */
final class IntegrityQueries {
    private final Connection connection;
    private final String bronzeTable;
    private final String table;

    IntegrityQueries(Connection connection, String bronzeTable, String table) {
        this.connection = connection;
        this.bronzeTable = bronzeTable;
        this.table = table;
    }

    TableStats stats() throws SQLException {
        String sql = "SELECT count(*), coalesce(min(lsn), 0), coalesce(max(lsn), 0), count(DISTINCT lsn),"
                + " count(*) FILTER (WHERE op = 'I'), count(*) FILTER (WHERE op = 'U'),"
                + " count(*) FILTER (WHERE op = 'D'),"
                + " count(*) FILTER (WHERE jsonb_typeof(full_row) IS DISTINCT FROM 'object'),"
                + " extract(epoch FROM clock_timestamp() - max(load_ts)),"
                + " count(*) FILTER (WHERE load_ts > clock_timestamp() - interval '5 minutes') / 300.0"
                + " FROM " + bronzeTable;
        try (PreparedStatement ps = connection.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            double lagSeconds = rs.getDouble(9);
            Duration lag = rs.wasNull() ? null : Duration.ofMillis(Math.round(Math.max(0, lagSeconds) * 1000));
            return new TableStats(table, rs.getLong(1),
                    new TableStats.LsnRange(rs.getLong(2), rs.getLong(3), rs.getLong(4)),
                    new TableStats.OpMix(rs.getLong(5), rs.getLong(6), rs.getLong(7)),
                    rs.getLong(8), lag, rs.getDouble(10));
        }
    }

    List<Violation> check(TableStats stats, ValidationOptions options) throws SQLException {
        List<Violation> violations = new ArrayList<>();
        if (stats.rows() != stats.lsn().distinct()) {
            query(violations, Check.LSN_UNIQUE, "SELECT count(*), min(lsn) || ' appears ' || max(n) || ' times'"
                    + " FROM (SELECT lsn, count(*) n FROM " + bronzeTable + " GROUP BY lsn HAVING count(*) > 1) d");
        }
        if (stats.rows() > 0 && stats.lsn().min() != 1) {
            violations.add(new Violation(table, Check.LSN_STARTS_AT_ONE, 1,
                    "the first lsn is " + stats.lsn().min()));
        }
        query(violations, Check.LSN_DENSE, "SELECT coalesce(sum(lsn - prev - 1), 0),"
                + " 'lsn ' || min(prev + 1) || ' is missing (next present: ' || min(lsn) || ')'"
                + " FROM (SELECT lsn, lag(lsn) OVER (ORDER BY lsn) prev FROM " + bronzeTable + ") g"
                + " WHERE lsn - prev > 1");
        query(violations, Check.ORDER_IN_TRANSACTION, "SELECT count(*), 'lsn ' || min(lsn) || ' (tx '"
                + " || min(tx_id) || ') has source_lsn below the previous change of its transaction'"
                + " FROM (SELECT lsn, tx_id, source_lsn,"
                + " lag(source_lsn) OVER (PARTITION BY tx_id ORDER BY lsn) prev FROM " + bronzeTable
                + " WHERE tx_id IS NOT NULL) o WHERE source_lsn < prev");
        query(violations, Check.TRANSACTION_CONTIGUOUS, "SELECT count(*), 'tx ' || min(tx_id) || ' is split into '"
                + " || max(runs) || ' runs' FROM (SELECT tx_id, count(*) runs FROM (SELECT tx_id,"
                + " lag(tx_id) OVER (ORDER BY lsn) prev FROM " + bronzeTable + ") r"
                + " WHERE tx_id IS NOT NULL AND prev IS DISTINCT FROM tx_id GROUP BY tx_id HAVING count(*) > 1) s");
        query(violations, Check.SNAPSHOT_FIRST, "SELECT count(*), 'snapshot row at lsn ' || min(lsn)"
                + " || ' comes after streamed changes' FROM " + bronzeTable + " WHERE tx_id IS NULL AND lsn >"
                + " (SELECT min(lsn) FROM " + bronzeTable + " WHERE tx_id IS NOT NULL)");
        query(violations, Check.COMMIT_TIME_ORDER, "SELECT count(*), 'tx ' || min(tx_id) || ' at lsn ' || min(lsn)"
                + " || ' committed before the transaction preceding it' FROM (SELECT lsn, tx_id, commit_ts,"
                + " max(commit_ts) OVER (ORDER BY lsn ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) latest"
                + " FROM " + bronzeTable + " WHERE tx_id IS NOT NULL) c"
                + " WHERE commit_ts < latest - make_interval(secs => " + options.commitTimeTolerance().toMillis()
                + " / 1000.0)");
        if (stats.nonObjectPayloads() > 0) {
            query(violations, Check.PAYLOAD_OBJECT, "SELECT count(*), 'lsn ' || min(lsn) || ' holds a '"
                    + " || min(jsonb_typeof(full_row)) FROM " + bronzeTable
                    + " WHERE jsonb_typeof(full_row) IS DISTINCT FROM 'object'");
        }
        if (stats.lag() != null && stats.lag().compareTo(options.lagThreshold()) > 0) {
            violations.add(new Violation(table, Check.LAG, 1, "last load " + stats.lag().toSeconds()
                    + " s ago, above the threshold of " + options.lagThreshold().toSeconds() + " s"));
        }
        return violations;
    }

    private void query(List<Violation> violations, Check check, String sql) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            if (rs.next() && rs.getLong(1) > 0) {
                violations.add(new Violation(table, check, rs.getLong(1), rs.getString(2)));
            }
        }
    }
}
