package io.bronzecdc.model.compact;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SqlNames;
import io.bronzecdc.model.source.SourceCatalog;
import io.bronzecdc.model.validate.TableEventReplay;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The current state of each captured table, built from its bronze log: the log folded by the source table's primary
 * key (the row with the highest lsn per key, a D removing it), or as a multiset for a table without one (each I adds
 * its row, each D removes one equal row), after the table's recorded schema changes and TRUNCATEs are applied
 * ({@link TableEventReplay}). The result has the source table's columns with their types, so it equals the source
 * table as of the log's last change; it is written into a schema of the bronze database, as tables (a copy, replaced
 * in one transaction) or as views (always current, computed on read).
 *
 * <p>Names: each table keeps its source name when no other captured table has it, else it takes its log's name
 * without {@code br_} and {@code _cdc} (for example {@code sales__orders}). Each object made carries the comment
 * {@value #COMMENT_PREFIX}...; an existing object without it is never replaced, and neither a source schema nor the
 * bronze schema can be the target.
 *
 * <p>Column types: the source's types, qualified; a type the bronze database lacks (a user type of the source, with
 * bronze on another server) becomes {@code text}, holding the value as {@code to_jsonb} gives it; a type that
 * {@code to_jsonb} renders through its own cast to JSON (hstore), arrays of it, and arrays of JSON or of array
 * domains become {@code jsonb}, since PostgreSQL cannot read that JSON back into the type. Either way {@code to_jsonb} of a compacted row equals that of the source
 * row.
 */
public final class Compaction {
    /** Every compacted object's comment starts with this. */
    public static final String COMMENT_PREFIX = "bronze-cdc compact of ";

    /** How the state is written. */
    public enum Form {
        /** {@code CREATE TABLE .. AS}: a copy as of this run. */
        TABLES("TABLE"),
        /** {@code CREATE VIEW}: folded on every read, always current. */
        VIEWS("VIEW");

        private final String sql;

        Form(String sql) {
            this.sql = sql;
        }
    }

    /** One compacted table: where it went and, for {@link Form#TABLES}, how many rows it holds (-1 for a view). */
    public record Result(TableId source, String relation, long rows) {
    }

    private final Connection bronze;
    private final Connection source;
    private final BronzeSchema schema;

    /**
     * @param bronze the bronze database, where the logs are and the compacted objects go
     * @param source the source database (its catalog gives keys, columns and types); may be {@code bronze}
     */
    public Compaction(Connection bronze, Connection source, BronzeSchema schema) {
        this.bronze = bronze;
        this.source = source;
        this.schema = schema;
    }

    /**
     * Compacts {@code tables} into {@code intoSchema} (created if missing), all in one transaction of the bronze
     * database: a reader sees the previous compaction or this one, never a mix.
     *
     * @throws CompactionRefusedException when the target schema is a source or the bronze schema, or holds an object
     *     of the same name that compaction did not make; nothing is changed then
     */
    public List<Result> compact(List<TableId> tables, String intoSchema, Form form) throws SQLException {
        requireOwnTarget(tables, intoSchema);
        Map<TableId, String> names = relationNames(tables);
        Map<TableId, String> definitions = new LinkedHashMap<>();
        for (TableId table : tables) {
            definitions.put(table, foldQuery(table));
        }
        boolean autoCommit = bronze.getAutoCommit();
        bronze.setAutoCommit(false);
        try (Statement s = bronze.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + SqlNames.quote(intoSchema));
            List<Result> results = new ArrayList<>();
            for (TableId table : tables) {
                String relation = SqlNames.quote(intoSchema) + "." + SqlNames.quote(names.get(table));
                dropPrevious(s, relation);
                try {
                    s.execute("CREATE " + form.sql + " " + relation + " AS " + definitions.get(table));
                } catch (SQLException e) {
                    throw new SQLException("compacting " + table + " from " + schema.displayTableOf(table) + " into "
                            + relation + " failed: " + e.getMessage(), e.getSQLState(), e);
                }
                s.execute("COMMENT ON " + form.sql + " " + relation + " IS " + SqlNames.literal(COMMENT_PREFIX + table
                        + " from " + schema.displayTableOf(table)));
                long rows = -1;
                if (form == Form.TABLES) {
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + relation)) {
                        rs.next();
                        rows = rs.getLong(1);
                    }
                }
                results.add(new Result(table, relation, rows));
            }
            bronze.commit();
            return results;
        } finally {
            if (!bronze.getAutoCommit()) {
                bronze.rollback();
            }
            bronze.setAutoCommit(autoCommit);
        }
    }

    /** The name each table's compacted object gets (see the class comment). */
    public static Map<TableId, String> relationNames(List<TableId> tables) {
        Map<String, Long> uses = tables.stream().collect(Collectors.groupingBy(TableId::name, Collectors.counting()));
        Map<TableId, String> names = new LinkedHashMap<>();
        for (TableId table : tables) {
            String log = BronzeSchema.logTableName(table);
            names.put(table, uses.get(table.name()) == 1 ? table.name()
                    : log.substring("br_".length(), log.length() - "_cdc".length()));
        }
        return names;
    }

    /** The SELECT that folds {@code table}'s log into typed rows. */
    String foldQuery(TableId table) throws SQLException {
        String replayed = TableEventReplay.read(bronze, schema, table).replayedRows(schema.tableOf(table));
        String record = "jsonb_to_record(f.full_row) AS r(" + columnDefinitions(table) + ")";
        List<String> key = SourceCatalog.primaryKey(source, table);
        if (key.isEmpty()) {
            String withoutNulls = "(full_row - ARRAY(SELECT e.key FROM jsonb_each(full_row) e WHERE e.value = 'null'))";
            return "SELECT r.* FROM (SELECT " + withoutNulls + " AS full_row,"
                    + " sum(CASE op WHEN 'I' THEN 1 WHEN 'D' THEN -1 ELSE 0 END) AS n FROM " + replayed
                    + " WHERE op <> 'U' GROUP BY 1) f CROSS JOIN generate_series(1, f.n) copy CROSS JOIN LATERAL "
                    + record + " WHERE f.n > 0";
        }
        String keyOf = "jsonb_build_object(" + key.stream()
                .map(column -> SqlNames.literal(column) + ", full_row->" + SqlNames.literal(column))
                .collect(Collectors.joining(", ")) + ")";
        return "SELECT r.* FROM (SELECT DISTINCT ON (k) op, full_row FROM (SELECT " + keyOf + " AS k, lsn, op,"
                + " full_row FROM " + replayed + ") b ORDER BY k, lsn DESC) f CROSS JOIN LATERAL " + record
                + " WHERE f.op <> 'D'";
    }

    /**
     * {@code "col" type, ...} in the source's column order, with types qualified by their schema (read with the
     * search path set to {@code pg_catalog} alone), or {@code text} where the bronze database lacks the type.
     */
    private String columnDefinitions(TableId table) throws SQLException {
        List<String[]> columns = new ArrayList<>();
        String searchPath;
        try (Statement s = source.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_setting('search_path'),"
                        + " set_config('search_path', 'pg_catalog', false)")) {
            rs.next();
            searchPath = rs.getString(1);
        }
        try {
            // Values PostgreSQL cannot read back from their JSON stay jsonb: a type with its own cast to json
            // (hstore: an object its input function cannot parse) and arrays of it, and arrays whose elements are
            // JSON or arrays themselves (json[], arrays of a domain over an array: their JSON nests like a further
            // dimension).
            try (PreparedStatement ps = source.prepareStatement("SELECT a.attname, CASE WHEN EXISTS (SELECT 1"
                    + " FROM pg_cast c WHERE c.castsource IN (a.atttypid, t.typelem) AND c.castsource NOT IN"
                    + " ('json'::regtype, 'jsonb'::regtype) AND c.casttarget IN ('json'::regtype, 'jsonb'::regtype))"
                    + " OR eb.oid IN ('json'::regtype, 'jsonb'::regtype) OR (eb.typelem <> 0 AND eb.typlen = -1)"
                    + " THEN 'jsonb' ELSE format_type(a.atttypid, a.atttypmod) END"
                    + " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
                    + " LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typlen = -1"
                    + " LEFT JOIN pg_type eb ON eb.oid = CASE WHEN e.typtype = 'd' THEN e.typbasetype ELSE e.oid END"
                    + " WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
                ps.setString(1, table.quoted());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        columns.add(new String[] {rs.getString(1), rs.getString(2)});
                    }
                }
            }
        } finally {
            try (PreparedStatement ps = source.prepareStatement("SELECT set_config('search_path', ?, false)")) {
                ps.setString(1, searchPath);
                ps.execute();
            }
        }
        Map<String, Boolean> known = new HashMap<>();
        List<String> definitions = new ArrayList<>();
        for (String[] column : columns) {
            String type = column[1];
            if (!known.computeIfAbsent(type, this::bronzeHasType)) {
                type = "text";
            }
            definitions.add(SqlNames.quote(column[0]) + " " + type);
        }
        return String.join(", ", definitions);
    }

    private boolean bronzeHasType(String type) {
        try (PreparedStatement ps = bronze.prepareStatement("SELECT to_regtype(?) IS NOT NULL")) {
            ps.setString(1, type);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        } catch (SQLException e) {
            return false;
        }
    }

    private void requireOwnTarget(List<TableId> tables, String intoSchema) {
        if (intoSchema == null || intoSchema.isEmpty()) {
            throw new CompactionRefusedException("no target schema given: name the schema the compacted tables go"
                    + " to (for example " + schema.name() + "_current)");
        }
        Set<String> sourceSchemas = tables.stream().map(TableId::schema).collect(Collectors.toSet());
        if (intoSchema.equals(schema.name()) || sourceSchemas.contains(intoSchema) || intoSchema.startsWith("pg_")
                || intoSchema.equals("information_schema")) {
            throw new CompactionRefusedException("compaction refuses to write into schema " + SqlNames.quote(intoSchema)
                    + ": it is " + (intoSchema.equals(schema.name()) ? "the bronze schema"
                    : sourceSchemas.contains(intoSchema) ? "a schema of captured source tables" : "a system schema")
                    + ", whose tables it could replace. Choose a schema of its own, for example " + schema.name()
                    + "_current");
        }
    }

    /** Drops the object compaction made last time under this name; refuses to touch anything else. */
    private void dropPrevious(Statement s, String relation) throws SQLException {
        try (PreparedStatement ps = bronze.prepareStatement("SELECT c.relkind, obj_description(c.oid, 'pg_class')"
                + " FROM pg_class c WHERE c.oid = to_regclass(?)")) {
            ps.setString(1, relation);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                String kind = rs.getString(1);
                String comment = rs.getString(2);
                if (comment == null || !comment.startsWith(COMMENT_PREFIX)) {
                    throw new CompactionRefusedException(relation + " exists and was not made by bronze-cdc compact"
                            + " (its comment does not start with '" + COMMENT_PREFIX + "'), so it is left alone and"
                            + " nothing was changed. Drop or rename it, or compact into another schema");
                }
                s.execute("DROP " + ("v".equals(kind) ? "VIEW " : "TABLE ") + relation);
            }
        }
    }
}
