package io.bronzecdc.model.validate;

import java.util.Objects;

/**
 * A check that failed on one table.
 *
 * @param table the source table whose bronze log failed ({@code orders}), or {@code *} for the whole pipeline
 * @param check the check
 * @param count how many rows (or transactions) break it
 * @param example one of them, in words, to start looking from
 */
public record Violation(String table, Check check, long count, String example) {
    public Violation {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(example, "example");
        if (count < 1) {
            throw new IllegalArgumentException("a violation counts at least 1 but was " + count);
        }
    }

    @Override
    public String toString() {
        return table + ": " + check.id() + " failed (" + count + "): " + example + " [rule: " + check.rule() + "]";
    }
}
