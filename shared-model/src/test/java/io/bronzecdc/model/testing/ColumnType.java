package io.bronzecdc.model.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;

/**
 * One column type of the random typed-table kit, as data: the SQL type, the setup it needs, and how to make
 * values of it as SQL expressions (edge values and seeded random ones).
 *
 * @param label unique short name, used in column names ({@code int4}, {@code int4_a2} for a 2-D array)
 * @param sql the type as written in {@code CREATE TABLE} ({@code numeric(10,2)}, {@code kit_types.mood[]})
 * @param setup idempotent SQL statements the type needs first (CREATE EXTENSION / TYPE / DOMAIN), in order
 * @param extension the contrib extension the type comes from, or null for a built-in or kit-defined type
 * @param specials edge values as SQL expressions of the type: empty, extremes, special values
 * @param random a seeded generator of ordinary values (SQL expressions of the type, never NULL)
 * @param defaults the kinds of column DEFAULT this type accepts besides none
 */
public record ColumnType(String label, String sql, List<String> setup, String extension, List<String> specials,
        Function<Random, String> random, List<DefaultKind> defaults) {

    /** How a column's DEFAULT is made. */
    public enum DefaultKind {
        /** A constant of the type (one of its random values). */
        CONSTANT,
        /** {@code now()} (temporal types). */
        NOW,
        /** {@code nextval} of a sequence of the table (integer types). */
        SEQUENCE
    }

    public ColumnType {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(sql, "sql");
        setup = List.copyOf(setup);
        specials = List.copyOf(specials);
        Objects.requireNonNull(random, "random");
        defaults = List.copyOf(defaults);
    }

    /** The same type with other edge values. */
    public ColumnType withSpecials(List<String> edgeValues) {
        return new ColumnType(label, sql, setup, extension, edgeValues, random, defaults);
    }

    /** Whether the type is an array type. */
    public boolean array() {
        return sql.endsWith("]");
    }

    /** A value: an edge value about a third of the time, else a random one. Never NULL. */
    public String value(Random r) {
        if (!specials.isEmpty() && r.nextInt(3) == 0) {
            return specials.get(r.nextInt(specials.size()));
        }
        return random.apply(r);
    }

    /**
     * The type of arrays of this type with {@code dimensions} (1 or 2) dimensions: values with NULL elements,
     * empty arrays and (1-D) a non-default lower bound, whose elements are values of this type.
     */
    public ColumnType arrayOf(int dimensions) {
        String arraySql = sql + "[]";
        List<String> edges = new ArrayList<>(List.of("'{}'::" + arraySql));
        if (dimensions == 1) {
            edges.add("ARRAY[NULL]::" + arraySql);
            if (!specials.isEmpty()) {
                edges.add("ARRAY[" + String.join(", ", specials) + ", NULL]::" + arraySql);
            }
        } else {
            edges.add("ARRAY[ARRAY[NULL, NULL]]::" + arraySql);
        }
        Function<Random, String> values = r -> arrayValue(r, dimensions, arraySql);
        return new ColumnType(label + "_a" + dimensions, arraySql, setup, extension, edges, values,
                List.of(DefaultKind.CONSTANT));
    }

    private String arrayValue(Random r, int dimensions, String arraySql) {
        int length = 1 + r.nextInt(4);
        if (dimensions == 1) {
            return "ARRAY[" + elements(r, length) + "]::" + arraySql;
        }
        List<String> rows = new ArrayList<>();
        for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
            rows.add("ARRAY[" + elements(r, length) + "]");
        }
        return "ARRAY[" + String.join(", ", rows) + "]::" + arraySql;
    }

    private String elements(Random r, int length) {
        List<String> elements = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            elements.add(r.nextInt(6) == 0 ? "NULL::" + sql : value(r));
        }
        return String.join(", ", elements);
    }

    /**
     * A SQL string literal of {@code text}: quotes doubled, backslashes kept (standard_conforming_strings is on by
     * default since PostgreSQL 9.1).
     */
    public static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    /** {@code literal(text)::type}. */
    public static String typed(String text, String type) {
        return literal(text) + "::" + type;
    }

    @Override
    public String toString() {
        return label + " (" + sql + ")";
    }
}
