package io.bronzecdc.model.testing;

import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SqlNames;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A source database unlike Pagila, for the "any database" acceptance: three schemas ({@code public},
 * {@code "Sales Dept"}, {@code ünï}) and fourteen tables of which eleven are meant to be captured (by
 * {@link #INCLUDE} minus {@link #EXCLUDE}), with capitals, spaces, quotes, dots and non-ASCII letters in schema, table
 * and column names, a table name too long for {@code br_<name>_cdc}, a table without a primary key (and with
 * duplicate rows), a composite key, a key that the workload changes, and a partitioned table captured through its
 * root. Tables of every type come from {@link RandomTypedTables} on top (see {@link #withTypedTables}).
 *
 * <p>Every table has REPLICA IDENTITY FULL and rows from {@link MixedWorkload}; none has data at creation.
 */
public final class MixedDatabase {
    /** The {@code tables.include} patterns of the acceptance config. */
    public static final List<String> INCLUDE = List.of("public.*", "\"Sales Dept\".*", "ünï.*");
    /** The {@code tables.exclude} patterns of the acceptance config. */
    public static final List<String> EXCLUDE = List.of("public.tmp_*", "\"Sales Dept\".\"Tmp Notes\"", "ünï.excluded_?");

    /** What a column holds; the workload makes values of it. */
    public enum Kind {
        INT("integer"), BIGINT("bigint"), TEXT("text"), NUMERIC("numeric(12,2)"), FLOAT("double precision"),
        BOOL("boolean"), DATE("date"), TIMESTAMPTZ("timestamptz"), JSONB("jsonb");

        private final String sql;

        Kind(String sql) {
            this.sql = sql;
        }

        /** The type as written in {@code CREATE TABLE}. */
        public String sql() {
            return sql;
        }
    }

    /**
     * A column.
     *
     * @param name exact name (quoted in SQL)
     * @param kind its type
     * @param key whether it is part of the primary key
     * @param defaultSql its DEFAULT expression, or null
     */
    public record Column(String name, Kind kind, boolean key, String defaultSql) {
        static Column key(String name, Kind kind) {
            return new Column(name, kind, true, null);
        }

        static Column of(String name, Kind kind) {
            return new Column(name, kind, false, null);
        }

        static Column withDefault(String name, Kind kind, String defaultSql) {
            return new Column(name, kind, false, defaultSql);
        }
    }

    /**
     * A table of this database.
     *
     * @param id exact schema and name
     * @param columns in table order
     * @param captured whether {@link #INCLUDE} minus {@link #EXCLUDE} selects it
     * @param keyChanges whether the workload also updates its primary key
     * @param partitionedOn the column it is range-partitioned on by year (a {@link Kind#DATE} key column), or null
     */
    public record Table(TableId id, List<Column> columns, boolean captured, boolean keyChanges, String partitionedOn) {
        public Table {
            columns = List.copyOf(columns);
        }

        /** The primary key columns; empty for a keyless table. */
        public List<Column> key() {
            return columns.stream().filter(Column::key).toList();
        }

        /** Whether the table has no primary key. */
        public boolean keyless() {
            return key().isEmpty();
        }
    }

    /** A table name of 59 characters: {@code br_<name>_cdc} would exceed PostgreSQL's 63-byte limit. */
    public static final String LONG_NAME = "a_table_name_long_enough_that_its_bronze_log_needs_a_hash_x";

    private static final List<Table> TABLES = List.of(
            table("public", "orders", true, false, null,
                    Column.key("id", Kind.BIGINT), Column.of("customer", Kind.TEXT),
                    Column.of("amount", Kind.NUMERIC), Column.withDefault("placed_at", Kind.TIMESTAMPTZ, "now()"),
                    Column.withDefault("note", Kind.TEXT, "'none'")),
            table("public", "Order Items", true, true, null,
                    Column.key("Order Id", Kind.BIGINT), Column.key("Line", Kind.INT), Column.of("qty", Kind.INT),
                    Column.of("Unit Price", Kind.NUMERIC)),
            table("public", "events_log", true, false, null,
                    Column.of("kind", Kind.TEXT), Column.of("payload", Kind.JSONB), Column.of("at", Kind.TIMESTAMPTZ)),
            table("public", "measurements", true, true, "taken_on",
                    Column.key("id", Kind.BIGINT), Column.key("taken_on", Kind.DATE),
                    Column.of("value", Kind.FLOAT), Column.of("ok", Kind.BOOL)),
            table("public", LONG_NAME, true, false, null,
                    Column.key("id", Kind.INT), Column.of("label", Kind.TEXT)),
            table("public", "CamelCase", true, false, null,
                    Column.key("Id", Kind.INT), Column.of("SomeValue", Kind.TEXT), Column.of("someValue", Kind.INT)),
            table("public", "tmp_scratch", false, false, null,
                    Column.key("id", Kind.INT), Column.of("junk", Kind.TEXT)),
            table("Sales Dept", "Customers", true, false, null,
                    Column.key("id", Kind.INT), Column.of("Full Name", Kind.TEXT), Column.of("e.mail", Kind.TEXT),
                    Column.withDefault("active", Kind.BOOL, "true")),
            table("Sales Dept", "order_2025", true, true, null,
                    Column.key("id", Kind.BIGINT), Column.of("Total €", Kind.NUMERIC), Column.of("status", Kind.TEXT)),
            table("Sales Dept", "order_2026", true, false, null,
                    Column.key("id", Kind.BIGINT), Column.of("Total €", Kind.NUMERIC), Column.of("status", Kind.TEXT)),
            table("Sales Dept", "Tmp Notes", false, false, null,
                    Column.key("id", Kind.INT), Column.of("note", Kind.TEXT)),
            table("ünï", "città", true, false, null,
                    Column.key("id", Kind.INT), Column.of("nome", Kind.TEXT), Column.of("größe", Kind.FLOAT)),
            table("ünï", "we.ird\"name", true, false, null,
                    Column.key("id", Kind.INT), Column.of("co\"l", Kind.TEXT), Column.of("a.b", Kind.JSONB)),
            table("ünï", "excluded_1", false, false, null,
                    Column.key("id", Kind.INT), Column.of("x", Kind.TEXT)));

    private final List<Table> tables;
    private final RandomTypedTables typed;

    private MixedDatabase(List<Table> tables, RandomTypedTables typed) {
        this.tables = tables;
        this.typed = typed;
    }

    /** Creates the schemas and tables (empty) on {@code connection}'s database. */
    public static MixedDatabase create(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            for (String schema : List.of("Sales Dept", "ünï")) {
                s.execute("CREATE SCHEMA IF NOT EXISTS " + SqlNames.quote(schema));
            }
            // A schema no pattern includes: its table must never be captured.
            s.execute("CREATE SCHEMA IF NOT EXISTS elsewhere");
            s.execute("CREATE TABLE IF NOT EXISTS elsewhere.orders (id int PRIMARY KEY)");
            for (Table table : TABLES) {
                for (String sql : createSql(table)) {
                    s.execute(sql);
                }
            }
        }
        return new MixedDatabase(TABLES, null);
    }

    /** This database plus the typed tables {@code typed}, which must be in a captured schema. */
    public MixedDatabase withTypedTables(RandomTypedTables typedTables) {
        return new MixedDatabase(tables, Objects.requireNonNull(typedTables, "typedTables"));
    }

    /** Every table this class made, captured or not; not the typed tables. */
    public List<Table> tables() {
        return tables;
    }

    /** The typed tables, or null. */
    public RandomTypedTables typed() {
        return typed;
    }

    /** The tables {@link #INCLUDE} minus {@link #EXCLUDE} selects, typed tables included, ordered by (schema, name). */
    public List<TableId> captured() {
        Stream<TableId> mine = tables.stream().filter(Table::captured).map(Table::id);
        Stream<TableId> kit = typed == null ? Stream.empty() : typed.ids().stream();
        return Stream.concat(mine, kit).sorted().toList();
    }

    /** The {@code tables:} block of a pipeline config selecting {@link #captured()}. */
    public static String tablesYaml() {
        return tablesYaml(List.of());
    }

    /** The {@code tables:} block of a pipeline config selecting {@link #captured()} minus {@code alsoExcluded}. */
    public static String tablesYaml(List<String> alsoExcluded) {
        StringBuilder yaml = new StringBuilder("tables:\n  include:\n");
        INCLUDE.forEach(p -> yaml.append("    - ").append(yamlString(p)).append('\n'));
        yaml.append("  exclude:\n");
        Stream.concat(EXCLUDE.stream(), alsoExcluded.stream())
                .forEach(p -> yaml.append("    - ").append(yamlString(p)).append('\n'));
        return yaml.toString();
    }

    /** {@code "t1", "t2"}: the captured tables, quoted, for {@code CREATE PUBLICATION ... FOR TABLE}. */
    public String publicationTableList() {
        return String.join(", ", captured().stream().map(TableId::quoted).toList());
    }

    private static String yamlString(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    private static Table table(String schema, String name, boolean captured, boolean keyChanges, String partitionedOn,
            Column... columns) {
        return new Table(new TableId(schema, name), List.of(columns), captured, keyChanges, partitionedOn);
    }

    private static List<String> createSql(Table table) {
        List<String> columns = new ArrayList<>();
        for (Column c : table.columns()) {
            columns.add(SqlNames.quote(c.name()) + " " + c.kind().sql()
                    + (c.defaultSql() == null ? "" : " DEFAULT " + c.defaultSql()));
        }
        if (!table.keyless()) {
            columns.add("PRIMARY KEY (" + String.join(", ", table.key().stream()
                    .map(c -> SqlNames.quote(c.name())).toList()) + ")");
        }
        String create = "CREATE TABLE " + table.id().quoted() + " (" + String.join(", ", columns) + ")";
        List<String> sql = new ArrayList<>();
        if (table.partitionedOn() == null) {
            sql.add(create);
            sql.add("ALTER TABLE " + table.id().quoted() + " REPLICA IDENTITY FULL");
            return sql;
        }
        sql.add(create + " PARTITION BY RANGE (" + SqlNames.quote(table.partitionedOn()) + ")");
        for (int year = MixedWorkload.FIRST_YEAR; year <= MixedWorkload.LAST_YEAR; year++) {
            TableId partition = new TableId(table.id().schema(), table.id().name() + "_" + year);
            sql.add("CREATE TABLE " + partition.quoted() + " PARTITION OF " + table.id().quoted()
                    + " FOR VALUES FROM ('" + year + "-01-01') TO ('" + (year + 1) + "-01-01')");
            sql.add("ALTER TABLE " + partition.quoted() + " REPLICA IDENTITY FULL");
        }
        sql.add("ALTER TABLE " + table.id().quoted() + " REPLICA IDENTITY FULL");
        return sql;
    }
}
