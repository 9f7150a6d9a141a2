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
 * row. Runs in SQL, so the source table must be in the bronze log's database; the caller sets
 * {@code TimeZone = 'UTC'}.
 *
 * <p>Rows are compared on the columns both have (a column added after a row's last change, absent from its
 * payload, equals the NULL that {@code ADD COLUMN} without a default gives old rows). A folded row with a column
 * the source lacks, or without one the source has a value in, is schema drift: one finding per table, with the
 * count, instead of one difference per row.
 */
final class ReplayCheck {
    private final Connection connection;

    ReplayCheck(Connection connection) {
        this.connection = connection;
    }

    /**
     * @param bronzeTable the log, or a relation of its {@code lsn, op, full_row} with the recorded events applied
     *     ({@link TableEventReplay#replayedRows})
     */
    List<Violation> check(TableId source, String bronzeTable) throws SQLException {
        List<String> key = primaryKey(source);
        String keyOf = "jsonb_build_object(" + String.join(", ",
                key.stream().map(column -> "'" + column + "', %1$s->'" + column + "'").toList()) + ")";
        String sql = "WITH folded AS ("
                + "  SELECT DISTINCT ON (k) k, op, full_row, lsn FROM (SELECT " + keyOf.formatted("full_row")
                + "    AS k, op, full_row, lsn FROM " + bronzeTable + ") b ORDER BY k, lsn DESC),"
                + " live AS (SELECT k, full_row, lsn FROM folded WHERE op <> 'D'),"
                + " src AS (SELECT " + keyOf.formatted("r") + " AS k, r FROM (SELECT to_jsonb(s) AS r FROM "
                + source.qualifiedName() + " s) t),"
                // Compared on common columns: columns only one side has are schema drift, reported on their own. Equal
                // rows (nearly all) skip the per-column work; a payload that is no object is the payload check's.
                + " pairs AS (SELECT live.k AS live_k, live.lsn, src.k AS src_k,"
                + "   CASE WHEN jsonb_typeof(live.full_row) <> 'object' THEN live.full_row <> src.r"
                + "   WHEN live.full_row <> src.r THEN"
                + "   (live.full_row - ARRAY(SELECT jsonb_object_keys(live.full_row) EXCEPT SELECT jsonb_object_keys(src.r)))"
                + "   <> (src.r - ARRAY(SELECT jsonb_object_keys(src.r) EXCEPT SELECT jsonb_object_keys(live.full_row)))"
                + "   ELSE false END AS differs,"
                // Schema drift: a column the source lacks, or one it has a value in that the row lacks.
                + "   CASE WHEN jsonb_typeof(live.full_row) = 'object' AND live.full_row <> src.r THEN"
                + "   (EXISTS (SELECT 1 FROM jsonb_object_keys(live.full_row) c WHERE NOT jsonb_exists(src.r, c))"
                + "   OR EXISTS (SELECT 1 FROM jsonb_each(src.r) e WHERE e.value <> 'null'"
                + "     AND NOT jsonb_exists(live.full_row, e.key))) ELSE false END AS drifted"
                + "   FROM live FULL JOIN src ON live.k = src.k)"
                + " SELECT count(*) FILTER (WHERE live_k IS NULL),"
                + "   min(src_k::text) FILTER (WHERE live_k IS NULL),"
                + "   count(*) FILTER (WHERE src_k IS NULL),"
                + "   min(live_k::text || ' (lsn ' || lsn || ')') FILTER (WHERE src_k IS NULL),"
                + "   count(*) FILTER (WHERE differs),"
                + "   min(live_k::text || ' (lsn ' || lsn || ')') FILTER (WHERE differs),"
                + "   count(*) FILTER (WHERE drifted),"
                + "   min(live_k::text || ' (lsn ' || lsn || ')') FILTER (WHERE drifted)"
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
            add(violations, source, Check.SCHEMA_DRIFT, rs.getLong(7), "folded rows (first: " + rs.getString(8)
                    + ") do not have the columns of " + source + ": the table's schema changed without a recorded"
                    + " event. Install the schema-change trigger (start once with --init as a superuser); rows are"
                    + " compared on their common columns only");
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
