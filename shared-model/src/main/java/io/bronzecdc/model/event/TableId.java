package io.bronzecdc.model.event;

import io.bronzecdc.model.postgres.SqlNames;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A source table, {@code schema.name}, with both parts exactly as the catalog spells them ({@code pg_namespace.nspname},
 * {@code pg_class.relname}): capitals, spaces, quotes, dots and non-ASCII letters included. SQL takes it through
 * {@link #quoted()} only; {@link #toString()} is for people.
 *
 * @param schema the source schema, for example {@code public}
 * @param name the table name, for example {@code orders}
 */
public record TableId(String schema, String name) implements Comparable<TableId>, Serializable {
    private static final long serialVersionUID = 1L;
    /** PostgreSQL's NAMEDATALEN - 1: the longest identifier, in bytes. */
    public static final int MAX_NAME_BYTES = 63;
    private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public TableId {
        requireCatalogName("schema", schema);
        requireCatalogName("name", name);
    }

    /** A table of the {@code public} schema. */
    public static TableId of(String name) {
        return new TableId("public", name);
    }

    /**
     * Parses what {@link #toString()} prints: {@code name} or {@code schema.name}, each part either bare (taken as
     * written) or a quoted identifier ({@code "..."}, {@code ""} for a quote). Without a schema: {@code public}.
     * {@code parse(t.toString())} equals {@code t} for every table. Not the config's pattern syntax (which folds
     * bare parts to lower case): see {@code io.bronzecdc.model.source.TablePattern}.
     *
     * @throws IllegalArgumentException quoting the text when it is not of that form
     */
    public static TableId parse(String text) {
        Objects.requireNonNull(text, "table id text");
        String[] parts = new String[2];
        int count = 0;
        int i = 0;
        while (true) {
            StringBuilder part = new StringBuilder();
            if (i < text.length() && text.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= text.length()) {
                        throw new IllegalArgumentException("unterminated quoted name in '" + text + "'");
                    }
                    char c = text.charAt(i++);
                    if (c == '"') {
                        if (i < text.length() && text.charAt(i) == '"') {
                            part.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        part.append(c);
                    }
                }
            } else {
                while (i < text.length() && text.charAt(i) != '.') {
                    part.append(text.charAt(i++));
                }
            }
            if (count == 2) {
                throw new IllegalArgumentException("'" + text + "' has more than two parts; quote a name with dots");
            }
            parts[count++] = part.toString();
            if (i == text.length()) {
                break;
            }
            if (text.charAt(i) != '.') {
                throw new IllegalArgumentException("'" + text + "': expected '.' after a quoted name at position " + i);
            }
            i++;
        }
        return count == 1 ? of(parts[0]) : new TableId(parts[0], parts[1]);
    }

    /**
     * {@code "schema"."name"}, each part quoted by {@link SqlNames#quote}: the only form SQL statements use.
     */
    public String quoted() {
        return SqlNames.quote(schema) + "." + SqlNames.quote(name);
    }

    /** The same as {@link #toString()}: for messages and logs, never for SQL (use {@link #quoted()}). */
    public String qualifiedName() {
        return toString();
    }

    /**
     * Checks a plain lower-case SQL identifier ({@code [a-z_][a-z0-9_]*}, at most 63 characters), naming {@code what}
     * in the message: the rule of the names the pipeline itself chooses (bronze schema, publication), not of tables.
     */
    public static String requireIdentifier(String what, String value) {
        if (value == null || !PLAIN_IDENTIFIER.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " must be a lower-case SQL identifier"
                    + " ([a-z_][a-z0-9_]*, at most 63 characters) but was "
                    + (value == null ? "null" : "'" + value + "'"));
        }
        return value;
    }

    /**
     * Checks a name as the catalog may hold it: not empty, no NUL character, at most {@value #MAX_NAME_BYTES} bytes
     * of UTF-8.
     */
    public static String requireCatalogName(String what, String value) {
        if (value == null || value.isEmpty() || value.indexOf('\0') >= 0
                || value.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException(what + " must be a PostgreSQL name (1 to " + MAX_NAME_BYTES
                    + " bytes of UTF-8, no NUL character) but was "
                    + (value == null ? "null" : "'" + value.replace("\0", "\\0") + "'"));
        }
        return value;
    }

    /**
     * One name as PostgreSQL's {@code quote_ident} shows it: bare when it is {@code [a-z_][a-z0-9_$]*}, else quoted
     * (keywords aside, which stay bare here).
     */
    public static String display(String name) {
        return isBare(name) ? name : SqlNames.quote(name);
    }

    /** {@code [a-z_][a-z0-9_$]*}, checked by hand: this runs for every streamed change (JFR: the regex was 3%). */
    private static boolean isBare(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean bare = (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && ((c >= '0' && c <= '9') || c == '$'));
            if (!bare) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int compareTo(TableId other) {
        int bySchema = schema.compareTo(other.schema);
        return bySchema != 0 ? bySchema : name.compareTo(other.name);
    }

    /** {@code schema.name}, each part as {@code quote_ident} shows it: {@code public.orders}, {@code "Sales"."Order"}. */
    @Override
    public String toString() {
        return display(schema) + "." + display(name);
    }
}
