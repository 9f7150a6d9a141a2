package io.bronzecdc.model.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Renders a YAML value for the "found" part of a problem: text in quotes, numbers and booleans as written, lists
 * and mappings as compact JSON, all cut to a readable length. Never used for values that may hold a secret.
 */
final class FoundValue {
    private static final int MAX_LENGTH = 80;

    private FoundValue() {
    }

    static String of(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "an empty value";
        }
        if (node.isTextual()) {
            return "'" + shorten(node.textValue()) + "'";
        }
        if (node.isValueNode()) {
            // YAML 1.1 reads yes/no/on/off as booleans and 010 as octal 8; name the type so the reader sees why.
            return (node.isBoolean() ? "the boolean " : "the number ") + node.asText();
        }
        return (node.isArray() ? "the list " : "the mapping ") + shorten(node.toString());
    }

    private static String shorten(String text) {
        return text.length() <= MAX_LENGTH ? text : text.substring(0, MAX_LENGTH) + "...";
    }
}
