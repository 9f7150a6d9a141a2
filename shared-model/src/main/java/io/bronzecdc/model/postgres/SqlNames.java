package io.bronzecdc.model.postgres;

import java.util.Objects;

/**
 * Quoting of names and text for SQL statements the project builds itself. Every schema, table and column name a
 * statement contains goes through {@link #quote}, so names with capitals, spaces, quotes, dots or non-ASCII letters
 * work; values go through bind parameters where the statement allows it, else through {@link #literal}.
 */
public final class SqlNames {
    private SqlNames() {
    }

    /** {@code "name"} with each {@code "} doubled: a quoted identifier that PostgreSQL reads back as exactly {@code name}. */
    public static String quote(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an SQL name must be non-empty and contain no NUL character but was '"
                    + name.replace("\0", "\\0") + "'");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** {@code 'text'} with each {@code '} doubled: a standard-conforming string literal. */
    public static String literal(String text) {
        Objects.requireNonNull(text, "text");
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an SQL literal cannot contain a NUL character");
        }
        return "'" + text.replace("'", "''") + "'";
    }
}
