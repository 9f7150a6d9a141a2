package io.bronzecdc.model.testing;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A small source database whose names need quoting everywhere: schemas {@code public}, {@code "Sales Dept"} and
 * {@code ünïcode}; tables and columns with capitals, spaces, quotes, dots and non-ASCII letters; one table name so
 * long that its bronze name is hashed; and one table that the config's {@code exclude} leaves out. Both engines'
 * end-to-end ITs capture it.
 */
public final class OddNamesDatabase {
    /** The captured tables, in the order {@code TableSelection.resolve} gives them. */
    public static final List<TableId> CAPTURED = List.of(
            new TableId("Sales Dept", "Customer.List"),
            new TableId("Sales Dept", "plain_orders"),
            TableId.of("Order Items"),
            TableId.of("a_table_name_that_is_long_enough_to_need_a_hashed_bronze_name"),
            TableId.of("quote\"d"),
            TableId.of("simple"),
            new TableId("ünïcode", "straße"));

    /** The config's {@code tables} value, nested YAML; single-quoted scalars, so the double quotes stay. */
    public static final String TABLES_YAML = String.join("\n",
            "tables:",
            "  include: ['public.*', '\"Sales Dept\".*', 'ünïcode.*']",
            "  exclude: ['public.tmp_*']",
            "");

    /**
     * The tables the Flink engine can capture: Flink CDC 3.5 cannot name a table with white space or a dot in its
     * schema or name, nor Debezium 1.9 stream non-ASCII names (the Flink preflight refuses them), so its config
     * leaves those out.
     */
    public static final List<TableId> CAPTURED_BY_FLINK = List.of(
            TableId.of("a_table_name_that_is_long_enough_to_need_a_hashed_bronze_name"),
            TableId.of("quote\"d"),
            TableId.of("simple"));

    /** The Flink config's {@code tables}: {@link #CAPTURED_BY_FLINK}. */
    public static final String FLINK_TABLES_YAML = String.join("\n",
            "tables:",
            "  include: ['public.*']",
            "  exclude: ['public.tmp_*', 'public.\"Order Items\"']",
            "");

    /** The tables of {@link #CAPTURED} that the Flink engine refuses. */
    public static final List<TableId> REFUSED_BY_FLINK = List.of(
            new TableId("Sales Dept", "Customer.List"), new TableId("Sales Dept", "plain_orders"),
            TableId.of("Order Items"), new TableId("ünïcode", "straße"));

    private OddNamesDatabase() {
    }

    /** Creates the schemas and tables with a few rows each, REPLICA IDENTITY FULL, and publication {@code publication}. */
    public static void create(Connection c, String publication) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("""
                    CREATE SCHEMA "Sales Dept";
                    CREATE SCHEMA "ünïcode";
                    CREATE TABLE public."Order Items" ("Item ID" int PRIMARY KEY, "Qty." int, "Note ""x""\" text);
                    CREATE TABLE "Sales Dept"."Customer.List" ("ID" bigint PRIMARY KEY, "Full Name" text,
                        "e.mail" text, "Größe" numeric(6, 2));
                    CREATE TABLE "Sales Dept".plain_orders (id int PRIMARY KEY, amount numeric(10, 2));
                    CREATE TABLE "ünïcode"."straße" ("schlüssel" int PRIMARY KEY, "Wert" text);
                    CREATE TABLE public.a_table_name_that_is_long_enough_to_need_a_hashed_bronze_name
                        (id int PRIMARY KEY, v text);
                    CREATE TABLE public."quote""d" (id int PRIMARY KEY, "a""b" text, "x,y" int);
                    CREATE TABLE public.simple (id int PRIMARY KEY, "Mixed" text, "a b.c" int);
                    CREATE TABLE public.tmp_scratch (id int PRIMARY KEY);
                    INSERT INTO public."Order Items" VALUES (1, 2, 'one'), (2, 5, 'two "quoted"');
                    INSERT INTO "Sales Dept"."Customer.List" VALUES (1, 'Ada Lovelace', 'ada@example.org', 1.5),
                        (2, 'Grace Hopper', NULL, 2);
                    INSERT INTO "Sales Dept".plain_orders VALUES (1, 9.99), (2, 10);
                    INSERT INTO "ünïcode"."straße" VALUES (1, 'Grüße'), (2, 'ß');
                    INSERT INTO public.a_table_name_that_is_long_enough_to_need_a_hashed_bronze_name
                        VALUES (1, 'long');
                    INSERT INTO public."quote""d" VALUES (1, 'it''s', 3);
                    INSERT INTO public.simple VALUES (1, 'a', 1), (2, 'b', 2);
                    INSERT INTO public.tmp_scratch VALUES (1);
                    """);
            StringBuilder tables = new StringBuilder();
            for (TableId table : CAPTURED) {
                s.execute("ALTER TABLE " + table.quoted() + " REPLICA IDENTITY FULL");
                tables.append(tables.isEmpty() ? "" : ", ").append(table.quoted());
            }
            s.execute("CREATE PUBLICATION " + publication + " FOR TABLE " + tables
                    + " WITH (publish_via_partition_root = true)");
        }
    }

    /** A few inserts, updates and deletes on every captured table, in separate transactions. */
    public static void applyChanges(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO public."Order Items" VALUES (3, 1, 'three');
                    UPDATE public."Order Items" SET "Qty." = "Qty." + 10, "Note ""x""\" = 'changed' WHERE "Item ID" = 1;
                    DELETE FROM public."Order Items" WHERE "Item ID" = 2;
                    UPDATE "Sales Dept"."Customer.List" SET "e.mail" = 'grace@example.org' WHERE "ID" = 2;
                    INSERT INTO "Sales Dept"."Customer.List" VALUES (3, 'Edsger Dijkstra', 'ewd@example.org', 3.25);
                    DELETE FROM "Sales Dept"."Customer.List" WHERE "ID" = 1;
                    UPDATE "Sales Dept".plain_orders SET amount = amount * 2;
                    INSERT INTO "ünïcode"."straße" VALUES (3, 'Ärger');
                    DELETE FROM "ünïcode"."straße" WHERE "schlüssel" = 2;
                    UPDATE public.a_table_name_that_is_long_enough_to_need_a_hashed_bronze_name SET v = 'longer';
                    INSERT INTO public."quote""d" VALUES (2, 'say "hi"', NULL);
                    UPDATE public."quote""d" SET "x,y" = 4 WHERE id = 1;
                    INSERT INTO public.simple VALUES (3, 'c', 3);
                    UPDATE public.simple SET "a b.c" = 20 WHERE id = 2;
                    DELETE FROM public.simple WHERE id = 1;
                    INSERT INTO public.tmp_scratch VALUES (2);
                    """);
        }
    }

    /**
     * Per captured table, the snapshot rows of its bronze log that are not exactly {@code to_jsonb} of a source row
     * and the source rows that have no snapshot row ({@code table: n extra, m missing}); empty when all match. Call
     * before any change is applied.
     */
    public static List<String> snapshotDifferences(Connection c, BronzeSchema schema, List<TableId> captured)
            throws SQLException {
        List<String> differences = new ArrayList<>();
        for (TableId table : captured) {
            String log = schema.tableOf(table);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT"
                    + " (SELECT count(*) FROM (SELECT full_row FROM " + log + " WHERE tx_id IS NULL EXCEPT ALL"
                    + "   SELECT to_jsonb(t) FROM " + table.quoted() + " t) d),"
                    + " (SELECT count(*) FROM (SELECT to_jsonb(t) FROM " + table.quoted() + " t EXCEPT ALL"
                    + "   SELECT full_row FROM " + log + " WHERE tx_id IS NULL) d)")) {
                rs.next();
                if (rs.getLong(1) != 0 || rs.getLong(2) != 0) {
                    differences.add(table + ": " + rs.getLong(1) + " extra, " + rs.getLong(2) + " missing");
                }
            }
        }
        return differences;
    }

    /** {@code source|bronze table} per row of {@code bronze_tables}, in bronze table order. */
    public static List<String> recordedMapping(Connection c, BronzeSchema schema) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT source_schema, source_table,"
                + " bronze_table FROM " + schema.quoted(BronzeSchema.TABLES_TABLE) + " ORDER BY bronze_table")) {
            while (rs.next()) {
                rows.add(new TableId(rs.getString(1), rs.getString(2)) + "|" + rs.getString(3));
            }
        }
        return rows;
    }

    /** What {@link #recordedMapping} must give when {@code captured} are captured. */
    public static List<String> expectedMapping(List<TableId> captured) {
        return captured.stream().map(t -> t + "|" + BronzeSchema.logTableName(t)).sorted((a, b) ->
                a.substring(a.indexOf('|')).compareTo(b.substring(b.indexOf('|')))).toList();
    }
}
