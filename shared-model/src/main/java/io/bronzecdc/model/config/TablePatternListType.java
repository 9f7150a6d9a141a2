package io.bronzecdc.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.bronzecdc.model.source.TablePattern;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A YAML list of table patterns ({@link TablePattern}: {@code schema.table}, quoted parts exact, unquoted parts
 * folded to lower case with {@code *} and {@code ?}). Each pattern at most once; each bad entry is its own problem,
 * keyed {@code <key>[i]}. Whether a pattern matches a table is a question for the database, answered at start.
 */
record TablePatternListType(boolean mayBeEmpty) implements ValueType<List<TablePattern>> {

    @Override
    public String expected() {
        return (mayBeEmpty ? "a list" : "a non-empty list") + " of distinct table patterns, each written schema.table"
                + " or table (schema public); \"Quoted\" parts are exact, unquoted ones are folded to lower case and"
                + " may use * and ?";
    }

    @Override
    public List<TablePattern> convert(String key, JsonNode node, List<ConfigProblem> problems) {
        if (node == null || !node.isArray()) {
            String hint = node != null && node.isTextual() ? "write a YAML list, for example [\"public.*\"]" : "";
            problems.add(new ConfigProblem(key, expected(), FoundValue.of(node), hint));
            return null;
        }
        if (node.isEmpty() && !mayBeEmpty) {
            problems.add(new ConfigProblem(key, expected(), "an empty list", "name at least one table"));
            return null;
        }
        int before = problems.size();
        List<TablePattern> patterns = new ArrayList<>();
        Map<TablePattern, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < node.size(); i++) {
            TablePattern pattern = entry(key + "[" + i + "]", node.get(i), problems);
            if (pattern == null) {
                continue;
            }
            Integer earlier = firstIndex.putIfAbsent(pattern, i);
            if (earlier != null) {
                problems.add(new ConfigProblem(key + "[" + i + "]", "each pattern once",
                        FoundValue.of(node.get(i)) + " again, as in " + key + "[" + earlier + "]",
                        "remove the duplicate"));
            } else {
                patterns.add(pattern);
            }
        }
        return problems.size() == before ? List.copyOf(patterns) : null;
    }

    private TablePattern entry(String key, JsonNode node, List<ConfigProblem> problems) {
        String expected = "a table pattern written schema.table or table";
        if (!node.isTextual()) {
            problems.add(new ConfigProblem(key, expected, FoundValue.of(node), ""));
            return null;
        }
        try {
            return TablePattern.parse(node.textValue());
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(key, expected, FoundValue.of(node), e.getMessage()));
            return null;
        }
    }

    @Override
    public String format(List<TablePattern> value) {
        Objects.requireNonNull(value, "patterns");
        return value.toString();
    }
}
