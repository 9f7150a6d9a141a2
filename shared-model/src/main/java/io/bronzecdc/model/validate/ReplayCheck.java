package io.bronzecdc.model.validate;

import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.SourceCatalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Replay equals source (invariant 5): folds a bronze log by the source table's primary key (the row with the
 * highest lsn per key wins; a D removes the key) and compares the result with {@code to_jsonb} of every source
 * row. A table without a primary key is compared as a multiset instead: folding its log, an I adds its row and
 * a D removes one equal row (its updates are logged as D then I), and the count of each distinct row must equal
 * the source's. Runs in SQL, so the source table must be in the bronze log's database; the caller sets
 * {@code TimeZone = 'UTC'}.
 *
 * <p>A column added to the source after a row's last change is absent from that row's payload; it counts as
 * equal when the source holds NULL there (what {@code ADD COLUMN} without a default gives old rows).
 */
final class ReplayCheck {
    private final Connection connection;

    ReplayCheck(Connection connection) {
        this.connection = connection;
    }

    List<Violation> check(TableId source, String bronzeTable) throws SQLException {
        requireSource(source);
        List<String> key = SourceCatalog.primaryKey(connection, source);
        return key.isEmpty() ? checkAsMultiset(source, bronzeTable) : checkByKey(source, bronzeTable, key);
    }

    private List<Violation> checkByKey(TableId source, String bronzeTable, List<String> key) throws SQLException {
        String keyOf = "jsonb_build_object(" + String.join(", ",
                key.stream().map(column -> "'" + column + "', %1$s->'" + column + "'").toList()) + ")";
        String sql = "WITH folded AS ("
                + "  SELECT DISTINCT ON (k) k, op, full_row, lsn FROM (SELECT " + keyOf.formatted("full_row")
                + "    AS k, op, full_row, lsn FROM " + bronzeTable + ") b ORDER BY k, lsn DESC),"
                + " live AS (SELECT k, full_row, lsn FROM folded WHERE op <> 'D'),"
                + " src AS (SELECT " + keyOf.formatted("r") + " AS k, r FROM (SELECT to_jsonb(s) AS r FROM "
                + source.qualifiedName() + " s) t),"
                + " pairs AS (SELECT live.k AS live_k, live.lsn, src.k AS src_k, live.full_row <> (src.r - ARRAY("
                // '??' is the jsonb key-exists operator '?', escaped for the JDBC driver.
                + "   SELECT e.key FROM jsonb_each(src.r) e WHERE NOT live.full_row ?? e.key AND e.value = 'null'))"
                + "   AS differs FROM live FULL JOIN src ON live.k = src.k)"
                + " SELECT count(*) FILTER (WHERE live_k IS NULL),"
                + "   min(src_k::text) FILTER (WHERE live_k IS NULL),"
                + "   count(*) FILTER (WHERE src_k IS NULL),"
                + "   min(live_k::text || ' (lsn ' || lsn || ')') FILTER (WHERE src_k IS NULL),"
                + "   count(*) FILTER (WHERE differs),"
                + "   min(live_k::text || ' (lsn ' || lsn || ')') FILTER (WHERE differs)"
                + " FROM pairs";
        List<Violation> violations = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            add(violations, source, Check.REPLAY_MISSING, rs.getLong(1),
                    "source row " + rs.getString(2) + " is missing from the folded log");
            add(violations, source, Check.REPLAY_EXTRA, rs.getLong(3),
                    "folded row " + rs.getString(4) + " is not in the source");
            add(violations, source, Check.REPLAY_DIFFERENT, rs.getLong(5),
                    "folded row " + rs.getString(6) + " differs from the source row");
        }
        return violations;
    }

    /**
     * Folds a keyless table's log as a multiset and compares the count of each distinct row with the source's. A
     * row differing from its source row shows as one missing and one extra: without a key nothing pairs them. A U
     * cannot be folded without a key (it does not say which of several equal rows it replaced), so each one is
     * reported as different. Top-level null values are left out of both sides, as in the keyed comparison.
     */
    private List<Violation> checkAsMultiset(TableId source, String bronzeTable) throws SQLException {
        String withoutNulls = "%1$s - ARRAY(SELECT e.key FROM jsonb_each(%1$s) e WHERE e.value = 'null')";
        String sql = "WITH folded AS (SELECT " + withoutNulls.formatted("full_row") + " AS r,"
                + "   sum(CASE op WHEN 'I' THEN 1 WHEN 'D' THEN -1 ELSE 0 END) AS n, max(lsn) AS lsn FROM "
                + bronzeTable + " WHERE op <> 'U' GROUP BY 1),"
                + " src AS (SELECT " + withoutNulls.formatted("r") + " AS r, count(*) AS n"
                + "   FROM (SELECT to_jsonb(s) AS r FROM " + source.quoted() + " s) t GROUP BY 1),"
                + " pairs AS (SELECT coalesce(f.r, s.r) AS r, f.lsn, coalesce(s.n, 0) - coalesce(f.n, 0) AS short"
                + "   FROM folded f FULL JOIN src s ON f.r = s.r)"
                + " SELECT coalesce(sum(short) FILTER (WHERE short > 0), 0),"
                + "   min(r::text || ' (' || short || ' copies)') FILTER (WHERE short > 0),"
                + "   coalesce(-sum(short) FILTER (WHERE short < 0), 0),"
                + "   min(r::text || ' (' || -short || ' copies, last lsn ' || lsn || ')') FILTER (WHERE short < 0),"
                + "   (SELECT count(*) FROM " + bronzeTable + " WHERE op = 'U'),"
                + "   (SELECT min(lsn) FROM " + bronzeTable + " WHERE op = 'U')"
                + " FROM pairs";
        List<Violation> violations = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            add(violations, source, Check.REPLAY_MISSING, rs.getLong(1),
                    "source row " + rs.getString(2) + " is missing from the folded log (compared as a multiset:"
                            + " the table has no primary key)");
            add(violations, source, Check.REPLAY_EXTRA, rs.getLong(3),
                    "folded row " + rs.getString(4) + " is not in the source (compared as a multiset: the table"
                            + " has no primary key)");
            add(violations, source, Check.REPLAY_DIFFERENT, rs.getLong(5),
                    "the log holds a U (lsn " + rs.getString(6) + ") for a table without a primary key; such an"
                            + " update must be logged as a D of the old row and an I of the new one");
        }
        return violations;
    }

    private void requireSource(TableId source) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, source.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new IllegalStateException("source table " + source + " does not exist in database "
                            + connection.getCatalog() + ", so its bronze log cannot be compared with it. Validate"
                            + " in the source's database, or turn the replay check off");
                }
            }
        }
    }

    private static void add(List<Violation> violations, TableId source, Check check, long count, String example) {
        if (count > 0) {
            violations.add(new Violation(source.name(), check, count, example));
        }
    }

}
