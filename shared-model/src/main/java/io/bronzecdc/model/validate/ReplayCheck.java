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
 * row. The bronze log and the source table may be in two databases: each side streams its rows sorted by the key
 * text ({@code COLLATE "C"}) and {@link SortedRowComparison} merges them, so neither is held in memory. The caller
 * sets {@code TimeZone = 'UTC'} on both connections and keeps each in a transaction (rows are fetched in chunks).
 *
 * <p>A column added to the source after a row's last change is absent from that row's payload; it counts as
 * equal when the source holds NULL there (what {@code ADD COLUMN} without a default gives old rows).
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

    List<Violation> check(TableId table, String bronzeTable) throws SQLException {
        List<String> key = primaryKey(table);
        String keyOf = "(jsonb_build_object(" + String.join(", ",
                key.stream().map(column -> SqlNames.literal(column) + ", %1$s->" + SqlNames.literal(column)).toList())
                + ")::text COLLATE \"C\")";
        String folded = "SELECT k, full_row::text, lsn FROM (SELECT DISTINCT ON (k) k, op, full_row, lsn FROM"
                + " (SELECT " + keyOf.formatted("full_row") + " AS k, op, full_row, lsn FROM " + bronzeTable + ") b"
                + " ORDER BY k, lsn DESC) f WHERE op <> 'D' ORDER BY k";
        String rows = "SELECT " + keyOf.formatted("r") + " AS k, r::text FROM (SELECT to_jsonb(s) AS r FROM "
                + table.quoted() + " s) t ORDER BY k";
        SortedRowComparison.Result result;
        try (PreparedStatement foldedQuery = bronze.prepareStatement(folded);
                PreparedStatement sourceQuery = source.prepareStatement(rows)) {
            foldedQuery.setFetchSize(FETCH_SIZE);
            sourceQuery.setFetchSize(FETCH_SIZE);
            try (ResultSet foldedRows = foldedQuery.executeQuery(); ResultSet sourceRows = sourceQuery.executeQuery()) {
                result = SortedRowComparison.compare(
                        () -> foldedRows.next()
                                ? new SortedRowComparison.Row(foldedRows.getString(1), foldedRows.getString(2),
                                        foldedRows.getLong(3)) : null,
                        () -> sourceRows.next()
                                ? new SortedRowComparison.Row(sourceRows.getString(1), sourceRows.getString(2), 0)
                                : null,
                        ReplayCheck::sameRow);
            }
        }
        List<Violation> violations = new ArrayList<>();
        add(violations, table, Check.REPLAY_MISSING, result.missing(),
                "source row " + result.firstMissing() + " is missing from the folded log");
        add(violations, table, Check.REPLAY_EXTRA, result.extra(),
                "folded row " + result.firstExtra() + " is not in the source");
        add(violations, table, Check.REPLAY_DIFFERENT, result.different(),
                "folded row " + result.firstDifferent() + " differs from the source row");
        return violations;
    }

    /**
     * Equality as {@code jsonb} has it (numbers by value), after dropping the source's null columns that the
     * folded row does not have (added after the row's last change).
     */
    static boolean sameRow(String folded, String source) {
        try {
            JsonNode live = JSON.readTree(folded);
            JsonNode src = JSON.readTree(source);
            if (live instanceof ObjectNode && src instanceof ObjectNode srcObject) {
                for (Iterator<String> names = srcObject.fieldNames(); names.hasNext(); ) {
                    String name = names.next();
                    if (!live.has(name) && srcObject.get(name).isNull()) {
                        names.remove();
                    }
                }
            }
            return live.equals((a, b) -> a.isNumber() && b.isNumber()
                    ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1, src);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a row is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static void add(List<Violation> violations, TableId source, Check check, long count, String example) {
        if (count > 0) {
            violations.add(new Violation(source.name(), check, count, example));
        }
    }

    private List<String> primaryKey(TableId table) throws SQLException {
        List<String> columns = SourceCatalog.primaryKey(source, table);
        if (columns.isEmpty()) {
            throw new IllegalStateException("source table " + table + " has no primary key in this database, so"
                    + " the bronze log cannot be folded by key. Validate in the source's database, give the table"
                    + " a primary key, or turn the replay check off");
        }
        return columns;
    }
}
