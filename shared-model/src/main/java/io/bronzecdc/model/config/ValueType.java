package io.bronzecdc.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * How the YAML value of one config key becomes a typed value, and how that value is printed again.
 *
 * @param <T> the Java type of the value
 */
public interface ValueType<T> {
    /**
     * What a valid value looks like, phrased to follow "expected", for example {@code an integer 1..65535}. Used in
     * problem messages and in the generated key reference.
     */
    String expected();

    /**
     * Converts one YAML value.
     *
     * @param key the key the value belongs to, used to name problems
     * @param node the value as written; a {@code NullNode} when the key was written without a value
     * @param problems receives one problem per thing wrong with the value
     * @return the value, or {@code null} when at least one problem was added
     */
    T convert(String key, JsonNode node, List<ConfigProblem> problems);

    /** The value as it would be written in the config file. */
    default String format(T value) {
        return String.valueOf(value);
    }
}
