package io.bronzecdc.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A value written as one YAML string and converted by a parser. The parser throws
 * {@link IllegalArgumentException} for text it rejects; the problem then says what {@code expected} says, quotes
 * the text and adds {@code hint}. Values of another YAML type (numbers, booleans, lists) are rejected rather than
 * converted to text.
 *
 * @param expected what a valid value looks like, phrased to follow "expected"
 * @param parser converts valid text, throws {@code IllegalArgumentException} otherwise
 * @param formatter prints a value as it would be written in the file
 * @param hint how to fix a rejected value; may be empty
 * @param <T> the Java type of the value
 */
record TextType<T>(String expected, Function<String, T> parser, Function<T, String> formatter, String hint)
        implements ValueType<T> {

    TextType {
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(parser, "parser");
        Objects.requireNonNull(formatter, "formatter");
        Objects.requireNonNull(hint, "hint");
    }

    /** A text type printed with {@code String.valueOf}. */
    static <T> TextType<T> of(String expected, Function<String, T> parser, String hint) {
        return new TextType<>(expected, parser, String::valueOf, hint);
    }

    /** Any text that is not blank, taken as written. */
    static TextType<String> nonBlank() {
        return of("a non-empty string", text -> {
            if (text.isBlank()) {
                throw new IllegalArgumentException("blank");
            }
            return text;
        }, "");
    }

    @Override
    public T convert(String key, JsonNode node, List<ConfigProblem> problems) {
        if (node == null || !node.isTextual()) {
            boolean scalar = node != null && node.isValueNode() && !node.isNull();
            String typeHint = hint.isEmpty() && scalar ? "write the value in quotes if it is meant as text" : hint;
            problems.add(new ConfigProblem(key, expected, FoundValue.of(node), typeHint));
            return null;
        }
        try {
            return parser.apply(node.textValue());
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(key, expected, FoundValue.of(node), hint));
            return null;
        }
    }

    @Override
    public String format(T value) {
        return formatter.apply(value);
    }
}
