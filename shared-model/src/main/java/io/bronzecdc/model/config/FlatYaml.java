package io.bronzecdc.model.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads a YAML document into dotted keys, so the nested form ({@code source: {slot: {name: x}}}), the flat form
 * ({@code source.slot.name: x}) and any mix of them mean the same. Mappings are walked; every other value,
 * including a list, is a leaf. The result keeps the order of the document.
 */
final class FlatYaml {
    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            // Without these, a key written twice keeps its last value silently.
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .build();

    private FlatYaml() {
    }

    /**
     * @return the leaves by dotted key, or {@code null} when the text is not a YAML mapping (the problem added
     *     says where and why)
     */
    static Map<String, JsonNode> read(String yaml, List<ConfigProblem> problems) {
        JsonNode root;
        try {
            root = MAPPER.readTree(yaml);
        } catch (JsonProcessingException e) {
            problems.add(syntaxProblem(e));
            return null;
        }
        Map<String, JsonNode> leaves = new LinkedHashMap<>();
        if (root == null || root.isMissingNode() || root.isNull()) {
            return leaves; // an empty document: every required key is then reported missing
        }
        if (!root.isObject()) {
            problems.add(new ConfigProblem("document", "a YAML mapping of config keys, such as 'source.host: db1'",
                    FoundValue.of(root), "write one key: value pair per line"));
            return null;
        }
        flatten("", root, leaves, problems);
        return leaves;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, JsonNode> leaves,
            List<ConfigProblem> problems) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = prefix + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                flatten(key + ".", value, leaves, problems);
            } else if (leaves.putIfAbsent(key, value) != null) {
                // Same key in flat and nested form; the YAML parser only catches duplicates within one mapping.
                problems.add(new ConfigProblem(key, "each key once", "it twice, in nested and in dotted form",
                        "keep one of them"));
            }
        }
    }

    /**
     * The parser's own message quotes the offending line, which may hold a secret. Only its problem lines are
     * kept, and the parser exception is not attached as a cause so a logged stack trace cannot print the line.
     */
    private static ConfigProblem syntaxProblem(JsonProcessingException e) {
        JsonLocation location = e.getLocation();
        String where = location == null ? "document"
                : "line " + location.getLineNr() + ", column " + location.getColumnNr();
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        String problem = original.lines()
                .filter(line -> !line.isBlank() && !Character.isWhitespace(line.charAt(0)))
                .collect(Collectors.joining(", "));
        return new ConfigProblem(where, "valid YAML", "a syntax error" + (problem.isEmpty() ? "" : ": " + problem),
                "fix the YAML syntax at that position; check indentation, and quote values containing ': ' or '#'");
    }
}
