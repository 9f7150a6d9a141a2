package io.bronzecdc.model.event;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A source table, {@code schema.name}. Both parts are plain lower-case SQL identifiers, so they can be used
 * in SQL without quoting; anything else is rejected rather than quoted.
 *
 * @param schema the source schema, for example {@code public}
 * @param name the table name, for example {@code orders}
 */
public record TableId(String schema, String name) implements Comparable<TableId> {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public TableId {
        requireIdentifier("schema", schema);
        requireIdentifier("name", name);
    }

    /** A table of the {@code public} schema. */
    public static TableId of(String name) {
        return new TableId("public", name);
    }

    /**
     * Parses {@code name} or {@code schema.name}.
     *
     * @throws IllegalArgumentException quoting the text when it is not of that form
     */
    public static TableId parse(String text) {
        Objects.requireNonNull(text, "table id text");
        int dot = text.indexOf('.');
        return dot < 0 ? of(text) : new TableId(text.substring(0, dot), text.substring(dot + 1));
    }

    /** The bronze change-log table of this source table: {@code br_<name>_cdc}. */
    public String bronzeTableName() {
        return "br_" + name + "_cdc";
    }

    /**
     * {@code "schema"."name"}, each part quoted by {@link io.bronzecdc.model.postgres.SqlNames#quote}: the form
     * every SQL statement uses.
     */
    public String quoted() {
        return io.bronzecdc.model.postgres.SqlNames.quote(schema) + "."
                + io.bronzecdc.model.postgres.SqlNames.quote(name);
    }

    /** {@code schema.name}, usable in SQL as is. */
    public String qualifiedName() {
        return schema + "." + name;
    }

    /** Checks a plain lower-case SQL identifier, naming {@code what} in the message. */
    public static String requireIdentifier(String what, String value) {
        if (value == null || !IDENTIFIER.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be a lower-case SQL identifier"
                    + " ([a-z_][a-z0-9_]*, at most 63 characters) but was "
                    + (value == null ? "null" : "'" + value + "'"));
        }
        return value;
    }

    @Override
    public int compareTo(TableId other) {
        int bySchema = schema.compareTo(other.schema);
        return bySchema != 0 ? bySchema : name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
