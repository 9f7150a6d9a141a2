package io.bronzecdc.model.validate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SqlNames;
import io.bronzecdc.model.source.SourceCatalog;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Replay equals source (invariant 5): folds a bronze log by the source table's primary key (the row with the
 * highest lsn per key wins; a D removes the key) and compares the result with {@code to_jsonb} of every source
 * row. A table without a primary key is compared as a multiset instead: folding its log, an I adds its row and a D
 * removes one equal row (its updates are logged as D then I), and each distinct row must occur as often as in the
 * source; the key of a row is then its whole text (top-level nulls left out), so the same merge pairs equal rows one
 * to one. The bronze log and the source table may be in two databases: each side streams its rows sorted by the key
 * text ({@code COLLATE "C"}) and {@link SortedRowComparison} merges them, so neither is held in memory. The caller
 * sets {@code TimeZone = 'UTC'} on both connections and keeps each in a transaction (rows are fetched in chunks).
 *
 * <p>Rows are compared on the columns both have (a column added after a row's last change, absent from its
 * payload, equals the NULL that {@code ADD COLUMN} without a default gives old rows). A folded row with a column
 * the source lacks, or without one the source has a value in, is schema drift: one finding per table, with the
 * count, instead of one difference per row.
 */
final class ReplayCheck {
    private static final int FETCH_SIZE = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    private final Connection bronze;
    private final Connection source;

    /**
     * @param bronze a connection to the bronze log's database
     * @param source a connection to the source table's database; may be {@code bronze} itself
     */
    ReplayCheck(Connection bronze, Connection source) {
        this.bronze = bronze;
        this.source = source;
    }

    /**
     * @param bronzeTable the log, or a relation of its {@code lsn, op, full_row} with the recorded events applied
     *     ({@link TableEventReplay#replayedRows})
     */
    List<Violation> check(TableId table, String bronzeTable) throws SQLException {
        requireSource(table);
        List<String> key = SourceCatalog.primaryKey(source, table);
        return key.isEmpty() ? checkAsMultiset(table, bronzeTable) : checkByKey(table, bronzeTable, key);
    }

    private List<Violation> checkByKey(TableId table, String bronzeTable, List<String> key) throws SQLException {
        String keyOf = "(jsonb_build_object(" + String.join(", ",
                key.stream().map(column -> SqlNames.literal(column).replace("%", "%%") + ", %1$s->"
                        + SqlNames.literal(column).replace("%", "%%")).toList())
                + ")::text COLLATE \"C\")";
        String folded = "SELECT k, full_row::text, lsn FROM (SELECT DISTINCT ON (k) k, op, full_row, lsn FROM"
                + " (SELECT " + keyOf.formatted("full_row") + " AS k, op, full_row, lsn FROM " + bronzeTable + ") b"
                + " ORDER BY k, lsn DESC) f WHERE op <> 'D' ORDER BY k";
        String rows = "SELECT " + keyOf.formatted("r") + " AS k, r::text FROM (SELECT to_jsonb(s) AS r FROM "
                + table.quoted() + " s) t ORDER BY k";
        SortedRowComparison.Result result = compare(folded, rows);
        List<Violation> violations = new ArrayList<>();
        add(violations, table, Check.REPLAY_MISSING, result.missing(),
                "source row " + result.firstMissing() + " is missing from the folded log");
        add(violations, table, Check.REPLAY_EXTRA, result.extra(),
                "folded row " + result.firstExtra() + " is not in the source");
        add(violations, table, Check.REPLAY_DIFFERENT, result.different(),
                "folded row " + result.firstDifferent() + " differs from the source row");
        add(violations, table, Check.SCHEMA_DRIFT, result.drifted(), "folded rows (first: " + result.firstDrifted()
                + ") do not have the columns of " + table + ": the table's schema changed without a recorded"
                + " event. Install the schema-change trigger (bronze-cdc init, or an engine's --init, as a superuser); rows are"
                + " compared on their common columns only");
        return violations;
    }

    /**
     * Folds a keyless table's log as a multiset (each distinct row, top-level nulls left out, as often as its Is
     * outnumber its Ds) and compares it with the source's rows. A row differing from its source row shows as one
     * missing and one extra: without a key nothing pairs them. A U cannot be folded without a key (it does not say
     * which of several equal rows it replaced), so each one is reported as different.
     */
    private List<Violation> checkAsMultiset(TableId table, String bronzeTable) throws SQLException {
        String withoutNulls = "(%1$s - ARRAY(SELECT e.key FROM jsonb_each(%1$s) e WHERE e.value = 'null'))";
        String folded = "SELECT r::text COLLATE \"C\" AS k, r::text, lsn FROM (SELECT "
                + withoutNulls.formatted("full_row") + " AS r,"
                + " sum(CASE op WHEN 'I' THEN 1 WHEN 'D' THEN -1 ELSE 0 END) AS n, max(lsn) AS lsn FROM " + bronzeTable
                + " WHERE op <> 'U' GROUP BY 1) f CROSS JOIN generate_series(1, f.n) copy WHERE f.n > 0 ORDER BY k";
        String rows = "SELECT r::text COLLATE \"C\" AS k, r::text FROM (SELECT " + withoutNulls.formatted("to_jsonb(s)")
                + " AS r FROM " + table.quoted() + " s) t ORDER BY k";
        SortedRowComparison.Result result = compare(folded, rows);
        List<Violation> violations = new ArrayList<>();
        add(violations, table, Check.REPLAY_MISSING, result.missing(), "source row " + result.firstMissing()
                + " is missing from the folded log (compared as a multiset: the table has no primary key)");
        add(violations, table, Check.REPLAY_EXTRA, result.extra(), "folded row " + result.firstExtra()
                + " is not in the source (compared as a multiset: the table has no primary key)");
        try (PreparedStatement ps = bronze.prepareStatement("SELECT count(*), min(lsn) FROM " + bronzeTable
                + " WHERE op = 'U'"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            add(violations, table, Check.REPLAY_DIFFERENT, rs.getLong(1), "the log holds a U (lsn " + rs.getString(2)
                    + ") for a table without a primary key; such an update must be logged as a D of the old row and"
                    + " an I of the new one");
        }
        return violations;
    }

    /** Runs both sorted queries and merges their rows; each query gives key text, row text (and bronze lsn). */
    private SortedRowComparison.Result compare(String foldedSql, String sourceSql) throws SQLException {
        try (PreparedStatement foldedQuery = bronze.prepareStatement(foldedSql);
                PreparedStatement sourceQuery = source.prepareStatement(sourceSql)) {
            foldedQuery.setFetchSize(FETCH_SIZE);
            sourceQuery.setFetchSize(FETCH_SIZE);
            try (ResultSet foldedRows = foldedQuery.executeQuery(); ResultSet sourceRows = sourceQuery.executeQuery()) {
                return SortedRowComparison.compare(
                        () -> foldedRows.next()
                                ? new SortedRowComparison.Row(foldedRows.getString(1), foldedRows.getString(2),
                                        foldedRows.getLong(3)) : null,
                        () -> sourceRows.next()
                                ? new SortedRowComparison.Row(sourceRows.getString(1), sourceRows.getString(2), 0)
                                : null,
                        ReplayCheck::compareRows);
            }
        }
    }

    private void requireSource(TableId table) throws SQLException {
        try (PreparedStatement ps = source.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, table.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new IllegalStateException("source table " + table + " does not exist in database "
                            + source.getCatalog() + ", so its bronze log cannot be compared with it. Check the"
                            + " source connection, or turn the replay check off");
                }
            }
        }
    }

    /**
     * Compares a folded row with the source row of its key on the columns both have, with equality as {@code jsonb}
     * has it (numbers by value); a column only the folded row has, or one only the source has with a value, is drift.
     * A payload that is no object is compared whole (the payload check reports it).
     */
    static SortedRowComparison.Verdict compareRows(String folded, String source) {
        try {
            JsonNode live = JSON.readTree(folded);
            JsonNode src = JSON.readTree(source);
            if (!(live instanceof ObjectNode liveObject) || !(src instanceof ObjectNode srcObject)) {
                return new SortedRowComparison.Verdict(!sameJson(live, src), false);
            }
            boolean drifted = false;
            ObjectNode liveCommon = liveObject.deepCopy();
            ObjectNode srcCommon = srcObject.deepCopy();
            for (Iterator<String> names = liveObject.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!srcObject.has(name)) {
                    drifted = true;
                    liveCommon.remove(name);
                }
            }
            for (Iterator<String> names = srcObject.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!liveObject.has(name)) {
                    drifted |= !srcObject.get(name).isNull();
                    srcCommon.remove(name);
                }
            }
            return new SortedRowComparison.Verdict(!sameJson(liveCommon, srcCommon), drifted);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a row is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static boolean sameJson(JsonNode a, JsonNode b) {
        return a.equals((x, y) -> x.isNumber() && y.isNumber()
                ? x.decimalValue().compareTo(y.decimalValue()) : x.equals(y) ? 0 : 1, b);
    }

    private static void add(List<Violation> violations, TableId source, Check check, long count, String example) {
        if (count > 0) {
            violations.add(new Violation(source.name(), check, count, example));
        }
    }
}
