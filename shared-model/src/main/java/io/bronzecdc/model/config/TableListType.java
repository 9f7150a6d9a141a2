package io.bronzecdc.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.bronzecdc.model.event.TableId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A YAML list of source tables, each written {@code name} (schema {@code public}) or {@code schema.name}. Every
 * entry must name a supported table, at most once, and the list must not be empty. Each bad entry is its own
 * problem, keyed {@code tables[i]}.
 *
 * @param supportedNames the table names the pipeline can capture
 */
record TableListType(List<String> supportedNames) implements ValueType<List<TableId>> {

    TableListType {
        supportedNames = List.copyOf(supportedNames);
    }

    @Override
    public String expected() {
        return "a non-empty list of distinct tables, each one of " + String.join(", ", supportedNames)
                + ", written as name or schema.name";
    }

    @Override
    public List<TableId> convert(String key, JsonNode node, List<ConfigProblem> problems) {
        if (node == null || !node.isArray()) {
            String hint = node != null && node.isTextual() ? "write a YAML list, for example [customer, payment]" : "";
            problems.add(new ConfigProblem(key, expected(), FoundValue.of(node), hint));
            return null;
        }
        if (node.isEmpty()) {
            problems.add(new ConfigProblem(key, expected(), "an empty list",
                    "name at least one table, or remove the key to capture all of " + String.join(", ", supportedNames)));
            return null;
        }
        int before = problems.size();
        List<TableId> tables = new ArrayList<>();
        Map<TableId, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < node.size(); i++) {
            TableId table = entry(key + "[" + i + "]", node.get(i), problems);
            if (table == null) {
                continue;
            }
            Integer earlier = firstIndex.putIfAbsent(table, i);
            if (earlier != null) {
                problems.add(new ConfigProblem(key + "[" + i + "]", "each table once",
                        FoundValue.of(node.get(i)) + " again, the same table as " + key + "[" + earlier + "]",
                        "remove the duplicate"));
            } else {
                tables.add(table);
            }
        }
        return problems.size() == before ? List.copyOf(tables) : null;
    }

    private TableId entry(String key, JsonNode node, List<ConfigProblem> problems) {
        String expected = "one of " + String.join(", ", supportedNames) + ", written as name or schema.name";
        if (!node.isTextual()) {
            problems.add(new ConfigProblem(key, expected, FoundValue.of(node), ""));
            return null;
        }
        TableId table;
        try {
            table = TableId.parse(node.textValue());
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(key, expected, FoundValue.of(node), e.getMessage()));
            return null;
        }
        if (!supportedNames.contains(table.name())) {
            problems.add(new ConfigProblem(key, expected, FoundValue.of(node),
                    "the pipeline supports only the tables " + String.join(", ", supportedNames)));
            return null;
        }
        return table;
    }

    @Override
    public String format(List<TableId> value) {
        Objects.requireNonNull(value, "tables");
        return value.toString();
    }
}
