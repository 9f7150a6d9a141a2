package io.bronzecdc.model.validate;

import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SqlNames;
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
 * row. Runs in SQL, so the source table must be in the bronze log's database; the caller sets
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
        List<String> key = primaryKey(source);
        String keyOf = "jsonb_build_object(" + String.join(", ",
                key.stream().map(column -> SqlNames.literal(column).replace("%", "%%") + ", %1$s->"
                        + SqlNames.literal(column).replace("%", "%%")).toList()) + ")";
        String sql = "WITH folded AS ("
                + "  SELECT DISTINCT ON (k) k, op, full_row, lsn FROM (SELECT " + keyOf.formatted("full_row")
                + "    AS k, op, full_row, lsn FROM " + bronzeTable + ") b ORDER BY k, lsn DESC),"
                + " live AS (SELECT k, full_row, lsn FROM folded WHERE op <> 'D'),"
                + " src AS (SELECT " + keyOf.formatted("r") + " AS k, r FROM (SELECT to_jsonb(s) AS r FROM "
                + source.quoted() + " s) t),"
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

    private static void add(List<Violation> violations, TableId source, Check check, long count, String example) {
        if (count > 0) {
            violations.add(new Violation(source.name(), check, count, example));
        }
    }

    private List<String> primaryKey(TableId source) throws SQLException {
        List<String> columns = SourceCatalog.primaryKey(connection, source);
        if (columns.isEmpty()) {
            throw new IllegalStateException("source table " + source + " has no primary key in this database, so"
                    + " the bronze log cannot be folded by key. Validate in the source's database, give the table"
                    + " a primary key, or turn the replay check off");
        }
        return columns;
    }
}
