package io.bronzecdc.model.source;

import io.bronzecdc.model.event.TableId;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One entry of the config's {@code tables}: {@code schema.table} or {@code table} (schema {@code public}). Each part
 * is either a quoted identifier ({@code "Order Items"}, exact, {@code ""} for a quote, may hold dots and spaces) or
 * unquoted, folded to lower case as PostgreSQL folds an unquoted name, in which {@code *} matches any run of
 * characters and {@code ?} one character.
 *
 * @param text the pattern as written
 * @param schema the schema part
 * @param table the table part
 */
public record TablePattern(String text, Part schema, Part table) {

    public TablePattern {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(table, "table");
    }

    /**
     * Parses one pattern.
     *
     * @throws IllegalArgumentException saying what is wrong with it and how to write it instead
     */
    public static TablePattern parse(String text) {
        Objects.requireNonNull(text, "pattern");
        Cursor cursor = new Cursor(text);
        Part first = cursor.part();
        if (cursor.atEnd()) {
            return new TablePattern(text, Part.exact("public"), first);
        }
        cursor.expectDot();
        Part second = cursor.part();
        if (!cursor.atEnd()) {
            throw new IllegalArgumentException("more than two dot-separated parts; quote a name that contains a"
                    + " dot, for example \"my.table\"");
        }
        return new TablePattern(text, first, second);
    }

    /** Whether {@code table} is one this pattern selects. */
    public boolean matches(TableId id) {
        return schema.matches(id.schema()) && table.matches(id.name());
    }

    /** Two patterns are equal when they match the same tables, however written ({@code t} and {@code public.t}). */
    @Override
    public boolean equals(Object other) {
        return other instanceof TablePattern p && p.schema.equals(schema) && p.table.equals(table);
    }

    @Override
    public int hashCode() {
        return Objects.hash(schema, table);
    }

    @Override
    public String toString() {
        return text;
    }

    /**
     * One part of a pattern.
     *
     * @param glob the part as it matches: literal characters, and {@code \0*} or {@code \0?} for a wildcard (no
     *     catalog name holds a NUL character); two parts that match the same names are equal
     */
    public record Part(String glob) {
        static Part exact(String name) {
            return new Part(name);
        }

        boolean matches(String name) {
            return regex().matcher(name).matches();
        }

        Pattern regex() {
            StringBuilder regex = new StringBuilder();
            StringBuilder literal = new StringBuilder();
            for (int i = 0; i < glob.length(); i++) {
                char c = glob.charAt(i);
                if (c == '\0') {
                    if (!literal.isEmpty()) {
                        regex.append(Pattern.quote(literal.toString()));
                        literal.setLength(0);
                    }
                    regex.append(glob.charAt(++i) == '*' ? ".*" : ".");
                } else {
                    literal.append(c);
                }
            }
            if (!literal.isEmpty()) {
                regex.append(Pattern.quote(literal.toString()));
            }
            return Pattern.compile(regex.toString(), Pattern.DOTALL);
        }
    }

    private static final class Cursor {
        private final String text;
        private int at;

        Cursor(String text) {
            this.text = text;
        }

        boolean atEnd() {
            return at == text.length();
        }

        void expectDot() {
            if (text.charAt(at) != '.') {
                throw new IllegalArgumentException("expected '.' after the quoted name at character " + (at + 1));
            }
            at++;
        }

        Part part() {
            if (atEnd() || text.charAt(at) == '.') {
                throw new IllegalArgumentException("an empty name at character " + (at + 1)
                        + "; write schema.table or table");
            }
            return text.charAt(at) == '"' ? quoted() : unquoted();
        }

        private Part quoted() {
            int start = at;
            StringBuilder name = new StringBuilder();
            at++;
            while (true) {
                if (atEnd()) {
                    throw new IllegalArgumentException("the quoted name starting at character " + (start + 1)
                            + " has no closing quote; write a quote inside a quoted name as \"\"");
                }
                char c = text.charAt(at++);
                if (c != '"') {
                    name.append(c);
                } else if (!atEnd() && text.charAt(at) == '"') {
                    name.append('"');
                    at++;
                } else {
                    break;
                }
            }
            if (name.isEmpty()) {
                throw new IllegalArgumentException("an empty quoted name \"\" at character " + (start + 1));
            }
            if (!atEnd() && text.charAt(at) != '.') {
                throw new IllegalArgumentException("text right after the quoted name at character " + (at + 1)
                        + "; put the whole name inside the quotes");
            }
            TableId.requireCatalogName("a quoted name", name.toString());
            return Part.exact(name.toString());
        }

        private Part unquoted() {
            StringBuilder glob = new StringBuilder();
            while (!atEnd() && text.charAt(at) != '.') {
                char c = text.charAt(at);
                if (c == '"' || Character.isWhitespace(c)) {
                    throw new IllegalArgumentException((c == '"' ? "a quote" : "white space") + " inside an unquoted"
                            + " name at character " + (at + 1) + "; quote the whole name, for example"
                            + " \"Order Items\"");
                }
                if (c == '*' || c == '?') {
                    glob.append('\0').append(c);
                } else {
                    // PostgreSQL folds unquoted names to lower case, ASCII letters only in a UTF-8 database.
                    glob.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
                }
                at++;
            }
            return new Part(glob.toString());
        }
    }
}
