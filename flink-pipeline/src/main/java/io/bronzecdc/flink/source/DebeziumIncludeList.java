package io.bronzecdc.flink.source;

/**
 * Entries of Debezium's {@code schema.include.list} and {@code table.include.list} that name exactly one schema or
 * table. Needs no Flink classes: the benchmark peers' Debezium takes the same entries.
 */
public final class DebeziumIncludeList {
    private DebeziumIncludeList() {
    }

    /**
     * A regular expression that matches exactly {@code name} for Debezium's {@code schema.include.list} and
     * {@code table.include.list} (matched against {@code schema} and {@code schema.table}). Debezium splits each
     * list at commas not preceded by a backslash, trims each entry and compiles it case-insensitively; so case
     * sensitivity is switched back on with {@code (?-i)}, and every character other than an ASCII letter, digit or
     * underscore is written {@code \\x{hex}}, which leaves no comma, space, quote or regex syntax in the entry.
     */
    public static String exactly(String name) {
        StringBuilder regex = new StringBuilder("(?-i)");
        name.codePoints().forEach(c -> {
            if (c < 128 && (Character.isLetterOrDigit(c) || c == '_')) {
                regex.appendCodePoint(c);
            } else {
                regex.append("\\x{").append(Integer.toHexString(c)).append('}');
            }
        });
        return regex.toString();
    }
}
