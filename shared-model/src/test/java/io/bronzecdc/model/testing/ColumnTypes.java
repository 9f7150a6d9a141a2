package io.bronzecdc.model.testing;

import static io.bronzecdc.model.testing.ColumnType.typed;

import io.bronzecdc.model.testing.ColumnType.DefaultKind;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * The catalog of the random typed-table kit: PostgreSQL's built-in types, an enum, domains and composite types
 * (created in schema {@value #TYPE_SCHEMA}), the contrib types hstore, ltree and citext, and 1-D and 2-D arrays of
 * all of them.
 */
public final class ColumnTypes {
    /** The schema holding the kit's own enum, domain and composite types. */
    public static final String TYPE_SCHEMA = "kit_types";

    private static final List<DefaultKind> CONSTANT = List.of(DefaultKind.CONSTANT);
    private static final List<DefaultKind> NUMBER = List.of(DefaultKind.CONSTANT, DefaultKind.SEQUENCE);
    private static final List<DefaultKind> TEMPORAL = List.of(DefaultKind.CONSTANT, DefaultKind.NOW);
    private static final String S = TYPE_SCHEMA + ".";
    /**
     * Edge values older servers refuse, with the first {@code server_version_num} that accepts each: infinite
     * intervals are 17 and later; the largest finite interval was refused by 14.20 and accepted by 16.15.
     */
    private static final Map<String, Integer> SPECIALS_SINCE = Map.of(
            "'infinity'::interval", 170000, "'-infinity'::interval", 170000,
            "'2147483647 days 2562047788:00:54.775807'::interval", 160000);
    private static final String ENUM = S + "mood";
    private static final List<String> USER_TYPES = List.of(
            "CREATE SCHEMA IF NOT EXISTS " + TYPE_SCHEMA,
            create("CREATE TYPE " + ENUM + " AS ENUM ('sad', 'ok', 'very happy', 'it''s \"fine\"', 'a,b{c}')"),
            create("CREATE DOMAIN " + S + "posint AS integer CHECK (VALUE > 0)"),
            create("CREATE DOMAIN " + S + "amount AS numeric(12,2)"),
            create("CREATE DOMAIN " + S + "email AS text CHECK (VALUE LIKE '%@%')"),
            create("CREATE DOMAIN " + S + "stamp AS timestamptz"),
            create("CREATE DOMAIN " + S + "intlist AS integer[]"),
            create("CREATE DOMAIN " + S + "doc AS jsonb"),
            create("CREATE TYPE " + S + "complex AS (r float8, i float8)"),
            create("CREATE TYPE " + S + "item AS (name text, qty integer, price numeric(10,2), tags text[],"
                    + " at timestamptz, mood " + ENUM + ", raw bytea, amount " + S + "amount)"),
            create("CREATE TYPE " + S + "parcel AS (id bigint, item " + S + "item, items " + S + "item[], ok boolean)"));

    private ColumnTypes() {
    }

    /** Every scalar type of the catalog (no arrays), built-in and kit-defined, then contrib. */
    public static List<ColumnType> scalars() {
        List<ColumnType> all = new ArrayList<>(builtIns());
        all.addAll(userDefined());
        all.addAll(contrib());
        return all;
    }

    /** Every type of the catalog: the scalars, then 1-D and 2-D arrays of each. */
    public static List<ColumnType> all() {
        return all(Integer.MAX_VALUE);
    }

    /**
     * Every type of the catalog with the edge values a server of this version accepts: the scalars, then 1-D and 2-D
     * arrays of each.
     *
     * @param serverVersionNum the server's {@code server_version_num}
     */
    public static List<ColumnType> all(int serverVersionNum) {
        List<ColumnType> scalars = scalars().stream().map(t -> t.withSpecials(t.specials().stream()
                .filter(v -> SPECIALS_SINCE.getOrDefault(v, 0) <= serverVersionNum).toList())).toList();
        List<ColumnType> all = new ArrayList<>(scalars);
        for (ColumnType scalar : scalars) {
            all.add(scalar.arrayOf(1));
            all.add(scalar.arrayOf(2));
        }
        return all;
    }

    /**
     * The types of {@link #all(int)} whose contrib extension (if any) the server offers, with the edge values its
     * version accepts.
     */
    public static List<ColumnType> available(Connection connection) throws SQLException {
        Set<String> extensions = new HashSet<>();
        int version;
        try (Statement s = connection.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT name FROM pg_available_extensions")) {
                while (rs.next()) {
                    extensions.add(rs.getString(1));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int")) {
                rs.next();
                version = rs.getInt(1);
            }
        }
        return all(version).stream().filter(t -> t.extension() == null || extensions.contains(t.extension())).toList();
    }

    static List<ColumnType> builtIns() {
        return List.of(
                type("int2", "smallint", NUMBER, List.of("-32768", "32767", "0"), r -> "" + (short) r.nextInt()),
                type("int4", "integer", NUMBER, List.of("-2147483648", "2147483647", "0"), r -> "" + r.nextInt()),
                type("int8", "bigint", NUMBER, List.of("-9223372036854775808", "9223372036854775807"),
                        r -> "" + r.nextLong()),
                type("oid", "oid", CONSTANT, List.of("0::oid", "4294967295::oid"),
                        r -> Integer.toUnsignedString(r.nextInt()) + "::oid"),
                type("numeric", "numeric", NUMBER, List.of("'NaN'::numeric", "'Infinity'::numeric",
                        "'-Infinity'::numeric", "0.000", "-0.0000001", "1.50", "1e20::numeric",
                        "123456789012345678901234567890.123456789012345678901234567890"),
                        r -> typed(RandomValues.numeric(r), "numeric")),
                type("numeric10_2", "numeric(10,2)", NUMBER, List.of("99999999.99", "-99999999.99", "0"),
                        r -> typed(String.valueOf((r.nextLong() % 10_000_000_000L) / 100.0), "numeric(10,2)")),
                type("float4", "real", CONSTANT, List.of("'NaN'::real", "'Infinity'::real", "'-Infinity'::real",
                        "'-0'::real", "'1.17549435e-38'::real", "'3.4028235e+38'::real", "'1e-45'::real",
                        "'0.1'::real"), r -> typed(RandomValues.float4(r), "real")),
                type("float8", "double precision", NUMBER, List.of("'NaN'::float8", "'Infinity'::float8",
                        "'-Infinity'::float8", "'-0'::float8", "'1.7976931348623157e308'::float8",
                        "'5e-324'::float8", "'2.2250738585072014e-308'::float8", "'0.1'::float8", "'1e22'::float8",
                        "'123456789012345680000'::float8"), r -> typed(RandomValues.float8(r), "float8")),
                type("money", "money", CONSTANT, List.of("'-92233720368547758.08'::money",
                        "'92233720368547758.07'::money", "'0'::money", "'12.34'::money"),
                        r -> typed(RandomValues.money(r), "money")),
                type("text", "text", CONSTANT, List.of("''", "' '", "'NULL'", "'\"quoted\", {braced}\\'",
                        "(SELECT string_agg(md5(i::text), '') FROM generate_series(1, 200) i)"),
                        r -> typed(RandomValues.text(r, 30), "text")),
                type("varchar", "varchar(20)", CONSTANT, List.of("''", "'12345678901234567890'"),
                        r -> typed(RandomValues.text(r, 20), "varchar(20)")),
                type("bpchar", "char(5)", CONSTANT, List.of("''", "'a'", "'abcde'"),
                        r -> typed(RandomValues.text(r, 5), "char(5)")),
                type("char1", "\"char\"", CONSTANT, List.of("''::\"char\"", "'a'::\"char\""),
                        r -> typed(String.valueOf((char) (33 + r.nextInt(94))), "\"char\"")),
                type("name", "name", CONSTANT, List.of("''::name", typed("n".repeat(63), "name")),
                        r -> typed(RandomValues.text(r, 20), "name")),
                type("bytea", "bytea", CONSTANT, List.of("'\\x'::bytea", "'\\x00ff'::bytea"),
                        r -> typed(RandomValues.bytea(r), "bytea")),
                type("bool", "boolean", CONSTANT, List.of("true", "false"), r -> Boolean.toString(r.nextBoolean())),
                type("date", "date", TEMPORAL, List.of("'infinity'::date", "'-infinity'::date",
                        "'4713-01-01 BC'::date", "'5874897-12-31'::date", "'0001-01-01'::date",
                        "'0001-12-31 BC'::date", "'2000-02-29'::date"),
                        r -> typed(RandomValues.date(RandomValues.localDate(r)), "date")),
                type("time", "time", TEMPORAL, List.of("'00:00'::time", "'23:59:59.999999'::time",
                        "'24:00:00'::time"), r -> typed(RandomValues.time(RandomValues.localTime(r)), "time")),
                type("timetz", "timetz", TEMPORAL, List.of("'00:00+00'::timetz", "'23:59:59.999999-15:59'::timetz",
                        "'12:00+05:30'::timetz", "'24:00:00-15:59:59'::timetz", "'01:02:03.5+15:59:59'::timetz"),
                        r -> typed(RandomValues.time(RandomValues.localTime(r)) + RandomValues.offset(r), "timetz")),
                type("timestamp", "timestamp", TEMPORAL, List.of("'infinity'::timestamp", "'-infinity'::timestamp",
                        "'4713-01-01 00:00:00 BC'::timestamp", "'294276-12-31 23:59:59.999999'::timestamp",
                        "'0001-01-01 00:00:00'::timestamp", "'0001-12-31 23:59:59.5 BC'::timestamp"),
                        r -> typed(RandomValues.timestamp(r), "timestamp")),
                type("timestamptz", "timestamptz", TEMPORAL, List.of("'infinity'::timestamptz",
                        "'-infinity'::timestamptz", "'4713-01-01 00:00:00+00 BC'::timestamptz",
                        "'294276-12-31 23:59:59.999999+00'::timestamptz", "'0001-01-01 00:00:00+05:30'::timestamptz",
                        "'1900-01-01 00:00:00-00:53:28'::timestamptz"),
                        r -> typed(RandomValues.timestamptz(r), "timestamptz")),
                type("interval", "interval", CONSTANT, List.of("'infinity'::interval", "'-infinity'::interval",
                        "'0'::interval", "'-178000000 years'::interval", "'1 mon -1 day 00:00:00.000001'::interval",
                        "'2147483647 days 2562047788:00:54.775807'::interval"),
                        r -> typed(RandomValues.interval(r), "interval")),
                type("uuid", "uuid", CONSTANT, List.of("'00000000-0000-0000-0000-000000000000'::uuid"),
                        r -> typed(RandomValues.uuid(r), "uuid")),
                type("json", "json", CONSTANT, List.of("'{}'::json", "'[]'::json", "'null'::json", "'\"\"'::json",
                        "'{ \"a\" : 1, \"a\" : 2 }'::json", "'1.50'::json", "'\"\\u00e9\\n\"'::json",
                        "'[1e400, -0, 0.1e-3]'::json"), r -> typed(RandomValues.json(r, 3), "json")),
                type("jsonb", "jsonb", CONSTANT, List.of("'{}'::jsonb", "'[]'::jsonb", "'null'::jsonb",
                        "'{\"b\": [1, 2.50, {\"c\": null}], \"a\": \"\\\"x\\\"\"}'::jsonb", "'1e-7'::jsonb"),
                        r -> typed(RandomValues.json(r, 3), "jsonb")),
                type("xml", "xml", CONSTANT, List.of("''::xml", "'<a x=\"1\">t &amp; u</a>'::xml", "'just text'::xml",
                        "'<?xml version=\"1.0\"?><r/>'::xml"),
                        r -> typed("<e k=\"" + RandomValues.word(r) + "\">" + RandomValues.word(r) + "</e>", "xml")),
                type("inet", "inet", CONSTANT, List.of("'0.0.0.0/0'::inet", "'::1'::inet", "'::ffff:1.2.3.4/128'::inet"),
                        r -> typed(RandomValues.inet(r), "inet")),
                type("cidr", "cidr", CONSTANT, List.of("'0.0.0.0/0'::cidr", "'2001:db8::/32'::cidr"),
                        r -> typed(RandomValues.cidr(r), "cidr")),
                type("macaddr", "macaddr", CONSTANT, List.of("'00:00:00:00:00:00'::macaddr"),
                        r -> typed(RandomValues.mac(r, 6), "macaddr")),
                type("macaddr8", "macaddr8", CONSTANT, List.of("'ff:ff:ff:ff:ff:ff:ff:ff'::macaddr8"),
                        r -> typed(RandomValues.mac(r, 8), "macaddr8")),
                type("bit", "bit(8)", CONSTANT, List.of("B'00000000'", "B'11111111'"),
                        r -> "B'" + RandomValues.bits(r, 8) + "'"),
                type("varbit", "varbit", CONSTANT, List.of("B''::varbit", "B'1'::varbit"),
                        r -> "B'" + RandomValues.bits(r, r.nextInt(70)) + "'::varbit"),
                type("tsvector", "tsvector", CONSTANT, List.of("''::tsvector", "'a:1A fat:2B,4C cat:5D'::tsvector",
                        "$$'don''t' 'a b' \\\\x$$::tsvector"),
                        r -> typed(RandomValues.word(r) + " " + RandomValues.word(r) + ":" + (1 + r.nextInt(99)), "tsvector")),
                type("tsquery", "tsquery", CONSTANT, List.of("'fat & (rat | !cat)'::tsquery", "'sup:*A <-> b'::tsquery",
                        "'a <2> b'::tsquery"), r -> typed(RandomValues.word(r) + " & " + RandomValues.word(r), "tsquery")),
                type("point", "point", CONSTANT, List.of("'(0,0)'::point", "'(NaN,Infinity)'::point",
                        "'(-0,1e300)'::point"), r -> typed(RandomValues.point(r), "point")),
                type("line", "line", CONSTANT, List.of("'{1,-1,0}'::line"),
                        r -> typed("{" + (1 + r.nextInt(9)) + "," + RandomValues.coordinate(r) + ","
                                + RandomValues.coordinate(r) + "}", "line")),
                type("lseg", "lseg", CONSTANT, List.of("'[(0,0),(0,0)]'::lseg"),
                        r -> typed("[" + RandomValues.point(r) + "," + RandomValues.point(r) + "]", "lseg")),
                type("box", "box", CONSTANT, List.of("'(1,1),(0,0)'::box"),
                        r -> typed(RandomValues.point(r) + "," + RandomValues.point(r), "box")),
                type("path", "path", CONSTANT, List.of("'[(0,0),(1,1)]'::path", "'((0,0),(1,1),(2,0))'::path"),
                        r -> {
                            boolean open = r.nextBoolean();
                            return typed((open ? "[" : "(") + RandomValues.point(r) + "," + RandomValues.point(r)
                                    + (open ? "]" : ")"), "path");
                        }),
                type("polygon", "polygon", CONSTANT, List.of("'((0,0))'::polygon"),
                        r -> typed("(" + RandomValues.point(r) + "," + RandomValues.point(r) + "," + RandomValues.point(r)
                                + ")", "polygon")),
                type("circle", "circle", CONSTANT, List.of("'<(0,0),0>'::circle"),
                        r -> typed("<" + RandomValues.point(r) + "," + r.nextInt(100) + ">", "circle")),
                type("int4range", "int4range", CONSTANT, List.of("'empty'::int4range", "'(,)'::int4range",
                        "'[1,1]'::int4range"), r -> range(r, "int4range", String.valueOf(r.nextInt(1000)),
                        String.valueOf(1000 + r.nextInt(1000)))),
                type("int8range", "int8range", CONSTANT, List.of("'empty'::int8range", "'(,5]'::int8range"),
                        r -> range(r, "int8range", String.valueOf(-r.nextInt(1000)), String.valueOf(r.nextInt(1000)))),
                type("numrange", "numrange", CONSTANT, List.of("'empty'::numrange", "'[1.50,)'::numrange",
                        "'(,Infinity]'::numrange"), r -> range(r, "numrange", "-" + RandomValues.numeric(r).replace("-", ""),
                        RandomValues.numeric(r).replace("-", ""))),
                type("tsrange", "tsrange", CONSTANT, List.of("'empty'::tsrange", "'[-infinity,infinity]'::tsrange",
                        "'[\"0044-03-15 12:00:00 BC\",)'::tsrange"),
                        r -> range(r, "tsrange", "2000-01-01 00:00:00." + r.nextInt(999_999), "2100-01-01")),
                type("tstzrange", "tstzrange", CONSTANT, List.of("'empty'::tstzrange",
                        "'[2020-01-01 00:00:00+05:30,2020-01-02 00:00:00.5-08)'::tstzrange"),
                        r -> range(r, "tstzrange", "2000-01-01 00:00:00." + r.nextInt(999_999) + RandomValues.offset(r),
                                "2100-01-01 00:00:00" + RandomValues.offset(r))),
                type("daterange", "daterange", CONSTANT, List.of("'empty'::daterange", "'[-infinity,)'::daterange"),
                        r -> range(r, "daterange", "1999-12-31", "20" + (10 + r.nextInt(80)) + "-01-0" + (1 + r.nextInt(9)))),
                type("int4multirange", "int4multirange", CONSTANT, List.of("'{}'::int4multirange",
                        "'{[1,3), [5,7]}'::int4multirange"),
                        r -> typed("{[" + r.nextInt(10) + "," + (10 + r.nextInt(10)) + "), [30," + (31 + r.nextInt(10))
                                + "]}", "int4multirange")),
                type("tstzmultirange", "tstzmultirange", CONSTANT, List.of("'{}'::tstzmultirange"),
                        r -> typed("{[2001-01-01 00:00:00" + RandomValues.offset(r) + ",2002-01-01 00:00:00"
                                + RandomValues.offset(r) + ")}", "tstzmultirange")));
    }

    static List<ColumnType> userDefined() {
        String item = "ROW('it''s, \"a\" {b}', 3, 9.90, ARRAY['x', NULL, ''], '2020-02-29 12:00+05:30',"
                + " 'very happy', '\\x00', 1.5)::" + S + "item";
        return List.of(
                user("enum", ENUM, CONSTANT, List.of("'it''s \"fine\"'::" + ENUM, "'a,b{c}'::" + ENUM),
                        r -> typed(List.of("sad", "ok", "very happy").get(r.nextInt(3)), ENUM)),
                user("d_posint", S + "posint", NUMBER, List.of("2147483647::" + S + "posint"),
                        r -> (1 + r.nextInt(Integer.MAX_VALUE - 1)) + "::" + S + "posint"),
                user("d_amount", S + "amount", CONSTANT, List.of("0::" + S + "amount", "-0.5::" + S + "amount"),
                        r -> typed(String.valueOf((r.nextLong() % 100_000_000_000L) / 100.0), S + "amount")),
                user("d_email", S + "email", CONSTANT, List.of("'@'::" + S + "email"),
                        r -> typed(RandomValues.text(r, 10) + "@" + RandomValues.word(r), S + "email")),
                user("d_stamp", S + "stamp", TEMPORAL, List.of("'infinity'::" + S + "stamp",
                        "'0044-03-15 12:00:00+01 BC'::" + S + "stamp"),
                        r -> typed(RandomValues.timestamptz(r), S + "stamp")),
                user("d_intlist", S + "intlist", CONSTANT, List.of("'{}'::" + S + "intlist",
                        "'{{1,NULL},{3,4}}'::" + S + "intlist"),
                        r -> "ARRAY[" + r.nextInt() + ", NULL]::" + S + "intlist"),
                user("d_doc", S + "doc", CONSTANT, List.of("'{}'::" + S + "doc", "'[1.50, \"x\"]'::" + S + "doc"),
                        r -> typed(RandomValues.json(r, 2), S + "doc")),
                user("complex", S + "complex", CONSTANT, List.of("ROW(NULL, NULL)::" + S + "complex",
                        "ROW('NaN', '-Infinity')::" + S + "complex", "ROW(-0, 1e300)::" + S + "complex"),
                        r -> "ROW(" + typed(RandomValues.float8(r), "float8") + ", " + typed(RandomValues.float8(r), "float8")
                                + ")::" + S + "complex"),
                user("item", S + "item", CONSTANT, List.of("ROW(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::" + S
                        + "item", "ROW('', 0, 0, '{}', 'infinity', 'sad', '\\x', 0)::" + S + "item", item),
                        ColumnTypes::item),
                user("parcel", S + "parcel", CONSTANT, List.of("ROW(1, NULL, '{}', NULL)::" + S + "parcel",
                        "ROW(9223372036854775807, " + item + ", ARRAY[" + item + ", NULL], true)::" + S + "parcel"),
                        r -> "ROW(" + r.nextLong() + ", " + item(r) + ", ARRAY[" + item(r) + ", NULL, " + item(r)
                                + "], " + r.nextBoolean() + ")::" + S + "parcel"));
    }

    static List<ColumnType> contrib() {
        return List.of(
                contrib("hstore", "hstore", List.of("''::hstore", "'a=>1, \"b c\"=>NULL, \"\"=>\"\"'::hstore",
                        "'\"k\\\\\\\"q\"=>\"v,=>{}\"'::hstore"),
                        r -> typed("\"" + RandomValues.word(r) + "\"=>\"" + RandomValues.word(r) + "\", x=>NULL", "hstore")),
                contrib("ltree", "ltree", List.of("''::ltree", "'Top.Science.Astronomy'::ltree"),
                        r -> typed(RandomValues.word(r) + "." + RandomValues.word(r), "ltree")),
                contrib("citext", "citext", List.of("''::citext", "'MiXeD Case'::citext"),
                        r -> typed(RandomValues.text(r, 20), "citext")));
    }

    private static String item(Random r) {
        return "ROW(" + typed(RandomValues.text(r, 10), "text") + ", " + r.nextInt() + ", "
                + (r.nextInt(100_000) / 100.0) + ", ARRAY[" + typed(RandomValues.text(r, 4), "text") + ", NULL]::text[], "
                + typed(RandomValues.timestamptz(r), "timestamptz") + ", 'ok', " + typed(RandomValues.bytea(r), "bytea")
                + ", " + (r.nextInt(100_000) / 100.0) + ")::" + S + "item";
    }

    private static String range(Random r, String type, String lower, String upper) {
        return typed((r.nextBoolean() ? "[" : "(") + (r.nextInt(5) == 0 ? "" : "\"" + lower + "\"") + ","
                + (r.nextInt(5) == 0 ? "" : "\"" + upper + "\"") + (r.nextBoolean() ? "]" : ")"), type);
    }

    private static ColumnType type(String label, String sql, List<DefaultKind> defaults, List<String> specials,
            Function<Random, String> random) {
        return new ColumnType(label, sql, List.of(), null, specials, random, defaults);
    }

    private static ColumnType user(String label, String sql, List<DefaultKind> defaults, List<String> specials,
            Function<Random, String> random) {
        return new ColumnType(label, sql, USER_TYPES, null, specials, random, defaults);
    }

    private static ColumnType contrib(String extension, String sql, List<String> specials,
            Function<Random, String> random) {
        return new ColumnType(extension, sql, List.of("CREATE EXTENSION IF NOT EXISTS " + extension), extension,
                specials, random, CONSTANT);
    }

    /** Runs {@code ddl} unless the object already exists (for setup shared by several kits in one database). */
    private static String create(String ddl) {
        return "DO $kit$ BEGIN " + ddl + "; EXCEPTION WHEN duplicate_object THEN NULL; END $kit$";
    }
}
