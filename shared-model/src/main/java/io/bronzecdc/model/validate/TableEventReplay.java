package io.bronzecdc.model.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableEvent;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SqlNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The events of one bronze log ({@code bronze_table_events}: schema changes and TRUNCATEs) applied to the rows
 * written before each of them, so that folding the result reproduces the source as it is now. In SQL, as a
 * relation of {@code lsn, op, full_row} that replaces the log in the fold:
 *
 * <ul>
 *   <li>TRUNCATE: the rows written before it are gone;
 *   <li>schema change: each older row is rebuilt with the columns after the change, matched by column number
 *       ({@code attnum}) to the columns before it: a renamed column keeps its value under its new name, a dropped
 *       one disappears, an added one gets what PostgreSQL gives older rows (the non-volatile default the event
 *       carries, else null), and a column whose type changed gets its value cast to the new type through its text
 *       form (what a plain {@code ALTER COLUMN TYPE} does; on PostgreSQL 16 and later a value the cast rejects is
 *       left as it was, so the row is reported as different instead of the check failing).
 * </ul>
 *
 * <p>A folded row whose columns still differ from the source table's means the table changed without a recorded
 * event (the schema-change trigger is not installed): {@link ReplayCheck} reports that as schema drift, once.
 */
public final class TableEventReplay {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code jsonb_build_object} takes at most 100 arguments: build wider rows from parts. */
    private static final int PAIRS_PER_CALL = 50;

    private final List<Event> events;
    private final boolean inputValidity;

    private TableEventReplay(List<Event> events, boolean inputValidity) {
        this.events = List.copyOf(events);
        this.inputValidity = inputValidity;
    }

    /** The events of {@code source}'s log in {@code schema}, in order; none when the schema has no events table. */
    public static TableEventReplay read(Connection connection, BronzeSchema schema, TableId source) throws SQLException {
        boolean inputValidity = connection.getMetaData().getDatabaseMajorVersion() >= 16;
        List<Event> events = new ArrayList<>();
        try (PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            exists.setString(1, schema.tableEvents());
            try (ResultSet rs = exists.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return new TableEventReplay(events, inputValidity);
                }
            }
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT kind, follows_lsn, columns_before::text,"
                + " columns::text FROM " + schema.tableEvents() + " WHERE bronze_table = ?"
                + " ORDER BY follows_lsn, commit_lsn, source_lsn")) {
            ps.setString(1, BronzeSchema.logTableName(source));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    boolean truncate = TableEvent.Kind.TRUNCATE.stored().equals(rs.getString(1));
                    events.add(new Event(truncate, rs.getLong(2), columns(rs.getString(3)), columns(rs.getString(4))));
                }
            }
        }
        return new TableEventReplay(events, inputValidity);
    }

    /**
     * A relation of {@code lsn, op, full_row} for use in a FROM clause: {@code bronzeTable} itself when there is
     * nothing to apply, else the log with every event applied.
     */
    public String replayedRows(String bronzeTable) {
        List<String> steps = new ArrayList<>();
        steps.add("e0 AS (SELECT lsn, op, full_row FROM " + bronzeTable + ")");
        for (Event event : events) {
            String previous = "e" + (steps.size() - 1);
            String step = "e" + steps.size();
            if (event.truncate()) {
                steps.add(step + " AS (SELECT lsn, op, full_row FROM " + previous + " WHERE lsn > "
                        + event.followsLsn() + ")");
            } else if (event.changesColumns()) {
                steps.add(step + " AS (SELECT lsn, op, CASE WHEN lsn <= " + event.followsLsn() + " THEN "
                        + rebuilt(event) + " ELSE full_row END AS full_row FROM " + previous + ")");
            }
        }
        if (steps.size() == 1) {
            return bronzeTable;
        }
        return "(WITH " + String.join(", ", steps) + " SELECT lsn, op, full_row FROM e" + (steps.size() - 1)
                + ") replayed";
    }

    /** {@code full_row} of a row older than {@code event}, rebuilt with the columns after it. */
    private String rebuilt(Event event) {
        Map<Integer, Column> before = new LinkedHashMap<>();
        event.before().forEach(column -> before.put(column.attnum(), column));
        List<String> pairs = new ArrayList<>();
        for (Column column : event.after()) {
            Column old = before.get(column.attnum());
            String value;
            if (event.before().isEmpty()) { // columns before unknown: keep values by name
                value = "CASE WHEN jsonb_exists(full_row, " + SqlNames.literal(column.name()) + ") THEN full_row->"
                        + SqlNames.literal(column.name()) + " ELSE " + missing(column) + " END";
            } else if (old == null) {
                value = missing(column);
            } else if (old.type().equals(column.type())) {
                value = "full_row->" + SqlNames.literal(old.name());
            } else {
                String text = "(full_row->>" + SqlNames.literal(old.name()) + ")";
                String cast = "to_jsonb(" + text + "::" + column.type() + ")";
                value = inputValidity ? "CASE WHEN " + text + " IS NULL OR pg_input_is_valid(" + text + ", "
                        + SqlNames.literal(column.type()) + ") THEN " + cast + " ELSE full_row->"
                        + SqlNames.literal(old.name()) + " END" : cast;
            }
            pairs.add(SqlNames.literal(column.name()) + ", " + value);
        }
        if (pairs.isEmpty()) {
            return "'{}'::jsonb";
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i += PAIRS_PER_CALL) {
            parts.add("jsonb_build_object(" + String.join(", ", pairs.subList(i, Math.min(pairs.size(),
                    i + PAIRS_PER_CALL))) + ")");
        }
        return String.join(" || ", parts);
    }

    private static String missing(Column column) {
        return column.missing() == null ? "'null'::jsonb" : SqlNames.literal(column.missing()) + "::jsonb";
    }

    private static List<Column> columns(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            List<Column> columns = new ArrayList<>();
            for (JsonNode node : JSON.readTree(json)) {
                JsonNode missing = node.get("missing");
                columns.add(new Column(node.path("name").asText(), node.path("type").asText(),
                        node.path("attnum").asInt(), missing == null || missing.isNull() ? null : missing.toString()));
            }
            return columns;
        } catch (IOException e) {
            throw new UncheckedIOException("bronze_table_events holds columns that are not JSON: " + json, e);
        }
    }

    /** One column of a schema-change event; {@code missing} is JSON or null. */
    private record Column(String name, String type, int attnum, String missing) {
        boolean sameAs(Column other) {
            return name.equals(other.name) && type.equals(other.type) && attnum == other.attnum;
        }
    }

    /** One event: a TRUNCATE, or a schema change with its columns before and after. */
    private record Event(boolean truncate, long followsLsn, List<Column> before, List<Column> after) {
        Event {
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
        }

        /** Whether rows older than the event look different after it (not, say, a new constraint). */
        boolean changesColumns() {
            if (before.size() != after.size() || before.isEmpty()) {
                return true;
            }
            for (int i = 0; i < before.size(); i++) {
                if (!before.get(i).sameAs(after.get(i))) {
                    return true;
                }
            }
            return false;
        }
    }
}
