package io.bronzecdc.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A whole number within {@code min..max}, written as a YAML number. Quoted digits, decimals and out-of-range
 * numbers are rejected, not rounded or clamped.
 *
 * @param min smallest accepted value
 * @param max largest accepted value
 */
record IntegerType(int min, int max) implements ValueType<Integer> {

    IntegerType {
        if (min > max) {
            throw new IllegalArgumentException("min " + min + " is greater than max " + max);
        }
    }

    @Override
    public String expected() {
        return "an integer " + min + ".." + max;
    }

    @Override
    public Integer convert(String key, JsonNode node, List<ConfigProblem> problems) {
        if (node != null && node.isIntegralNumber() && node.canConvertToInt()
                && node.intValue() >= min && node.intValue() <= max) {
            return node.intValue();
        }
        String hint = node != null && node.isTextual() && node.textValue().matches("\\d+")
                ? "write the number without quotes" : "";
        problems.add(new ConfigProblem(key, expected(), FoundValue.of(node), hint));
        return null;
    }
}
