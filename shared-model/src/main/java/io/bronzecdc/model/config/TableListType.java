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
 * entry names a table at most once, and the list must not be empty. Each bad entry is its own problem, keyed
 * {@code tables[i]}. Whether a table exists is the preflight's question: it needs the database.
 */
record TableListType() implements ValueType<List<TableId>> {

    @Override
    public String expected() {
        return "a non-empty list of distinct tables, each written as name or schema.name";
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
                    "name at least one table"));
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
        String expected = "a table written as name or schema.name";
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
        return table;
    }

    @Override
    public String format(List<TableId> value) {
        Objects.requireNonNull(value, "tables");
        return value.toString();
    }
}
