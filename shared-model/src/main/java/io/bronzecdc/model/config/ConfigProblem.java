package io.bronzecdc.model.config;

import java.io.Serializable;
import java.util.Objects;

/**
 * One thing wrong with the pipeline configuration: which key, what was expected, what was found, and how to fix
 * it. {@link #line()} renders it as one readable line, for example
 * {@code source.port: expected an integer 1..65535 but found 'abc'}.
 *
 * <p>{@code found} never contains a secret: problems about a password describe it ("a plain password (value not
 * shown)") instead of quoting it.
 *
 * @param key the dotted config key (for example {@code source.port} or {@code tables[1]}), or the place in the
 *     file when the problem is not about one key (for example {@code line 3, column 8})
 * @param expected what a valid value looks like, phrased to follow "expected"
 * @param found what was there instead, phrased to follow "found"
 * @param hint how to fix it; empty when {@code expected} already says everything
 */
public record ConfigProblem(String key, String expected, String found, String hint) implements Serializable {
    private static final long serialVersionUID = 1L;

    public ConfigProblem {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(found, "found");
        hint = hint == null ? "" : hint;
    }

    /** A problem that needs no hint. */
    public static ConfigProblem of(String key, String expected, String found) {
        return new ConfigProblem(key, expected, found, "");
    }

    /** {@code key: expected ... but found ...; hint}. */
    public String line() {
        String line = key + ": expected " + expected + " but found " + found;
        return hint.isEmpty() ? line : line + "; " + hint;
    }

    @Override
    public String toString() {
        return line();
    }
}
