package io.bronzecdc.flink.preflight;

import io.bronzecdc.model.event.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which column types the Flink CDC source (Debezium 1.9 over pgoutput) carries exactly, decided once at start from
 * the catalog. A table with any other column is refused before anything is written: each refused column is one
 * problem naming the table, the column, its type, why, and the ways out. The accepted set is what the typed-table
 * tests prove exact (full_row equal to {@code to_jsonb} of the source row, snapshot and stream); the reasons below
 * are what those tests found.
 *
 * <p>Domains are judged by their base type; arrays, composites and unknown types are refused.
 */
public final class FlinkColumnTypes {
    private static final String WAY_OUT = "capture this table with the Spark engine, change the column's type,"
            + " or leave the table out of 'tables' (the Flink engine's default source, source.connector: pgoutput,"
            + " captures it)";

    /** Base types (pg_type.typname) carried exactly. */
    private static final Set<String> EXACT = Set.of("int2", "int4", "int8", "oid", "float4", "float8", "bool",
            "text", "varchar", "bpchar", "name", "char", "bytea", "uuid", "json", "jsonb", "xml", "inet", "cidr",
            "macaddr", "macaddr8", "bit", "tsvector", "tsquery", "date", "timestamp", "timestamptz",
            "int4range", "int8range", "numrange", "tsrange", "daterange",
            "int4multirange", "int8multirange", "nummultirange", "tsmultirange", "datemultirange",
            "hstore", "ltree", "citext");

    /** Types refused, with what goes wrong. */
    private static final Map<String, String> REASONS = Map.ofEntries(
            Map.entry("money", "the snapshot reads money as a double (large amounts fail) and the stream hands over"
                    + " only the amount, not the text lc_monetary gives it"),
            Map.entry("interval", "Debezium reads intervals through pgjdbc's PGInterval (hours as int, seconds as"
                    + " double): large or precise intervals fail or change"),
            Map.entry("time", "the snapshot reads time through java.sql.Time, which drops microseconds and turns"
                    + " 24:00:00 into 00:00:00"),
            Map.entry("timetz", "Debezium converts timetz to UTC and drops its offset"),
            Map.entry("varbit", "Debezium hands over varbit as bytes without the bit length, so leading zero bits"
                    + " are lost"),
            Map.entry("point", "Debezium hands over points as a geometry struct, not PostgreSQL's text"),
            Map.entry("line", "Debezium prints geometric values with Java's number format (1.0 for 1)"),
            Map.entry("lseg", "Debezium prints geometric values with Java's number format (1.0 for 1)"),
            Map.entry("box", "Debezium prints geometric values with Java's number format (1.0 for 1)"),
            Map.entry("path", "Debezium prints geometric values with Java's number format (1.0 for 1)"),
            Map.entry("polygon", "Debezium prints geometric values with Java's number format (1.0 for 1)"),
            Map.entry("circle", "Debezium prints geometric values with Java's number format (1.0 for 1)"),
            Map.entry("tstzrange", "Debezium hands over the range's text in its own session time zone, not UTC"),
            Map.entry("tstzmultirange", "Debezium hands over the range's text in its own session time zone, not"
                    + " UTC"));

    private FlinkColumnTypes() {
    }

    /** One problem per column of {@code tables} whose type the Flink path cannot carry exactly. */
    public static List<String> refusals(Connection c, List<TableId> tables) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (PreparedStatement columns = c.prepareStatement("SELECT a.attname, a.atttypid, a.atttypmod,"
                + " format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = to_regclass(?)"
                + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            for (TableId table : tables) {
                columns.setString(1, table.quoted());
                try (ResultSet rs = columns.executeQuery()) {
                    while (rs.next()) {
                        String reason = reason(c, rs.getLong(2), rs.getInt(3));
                        if (reason != null) {
                            problems.add("table " + table + ", column " + rs.getString(1) + " (" + rs.getString(4)
                                    + "): the Flink engine cannot capture this type exactly: " + reason + ". Either "
                                    + WAY_OUT);
                        }
                    }
                }
            }
        }
        return problems;
    }

    /** Why the type cannot be carried, or null when it can. */
    static String reason(Connection c, long typeOid, int typmod) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT t.typname, t.typtype, t.typcategory, t.typbasetype,"
                + " t.typtypmod FROM pg_type t WHERE t.oid = ?")) {
            long oid = typeOid;
            int mod = typmod;
            boolean domain = false;
            while (true) {
                ps.setLong(1, oid);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return "its type (oid " + oid + ") is not in pg_type";
                    }
                    String name = rs.getString(1);
                    String kind = rs.getString(2);
                    if ("d".equals(kind)) {
                        domain = true;
                        oid = rs.getLong(4);
                        mod = rs.getInt(5) >= 0 ? rs.getInt(5) : mod;
                        continue;
                    }
                    if ("A".equals(rs.getString(3))) {
                        return "Debezium 1.9 drops or nulls the elements of many array types and flattens"
                                + " multi-dimensional arrays";
                    }
                    return switch (kind) {
                        case "c" -> "Debezium 1.9 does not decode composite types";
                        case "e" -> null;
                        default -> base(name, mod, domain);
                    };
                }
            }
        }
    }

    private static String base(String name, int typmod, boolean domain) {
        if (name.equals("numeric")) {
            if (domain) {
                return "Debezium names the domain, not numeric, so its values cannot be told from text";
            }
            return typmod < 0 ? "numeric without a precision may hold Infinity, which Debezium 1.9 cannot read"
                    + " (the snapshot stores null); declare numeric(p,s)" : null;
        }
        if (domain && name.equals("bytea")) {
            return "Debezium names the domain, not bytea, so its bytes cannot be told from an unknown type's text";
        }
        if (EXACT.contains(name)) {
            return null;
        }
        return REASONS.getOrDefault(name, "Debezium 1.9 has no exact form for type " + name);
    }
}
