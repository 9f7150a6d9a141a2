package io.bronzecdc.model.source;

import io.bronzecdc.model.config.ConfigException;
import io.bronzecdc.model.config.ConfigProblem;
import io.bronzecdc.model.event.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The config's {@code tables}: which source tables a pipeline captures, as patterns that {@link #resolve} turns
 * into tables by reading {@code pg_catalog} at every start (and every Spark run). Ordinary and partitioned tables
 * only, never a partition itself (a partition is captured through its root, which the publication publishes via
 * {@code publish_via_partition_root}), never a system schema nor the bronze schema; {@code include} minus
 * {@code exclude}, ordered by schema, then name.
 *
 * @param include at least one pattern; each must match a table, or resolving fails naming it
 * @param exclude patterns of tables to leave out, even when an include pattern matches them
 * @param shorthand whether the config wrote the list form ({@code tables: [...]}), which decides how problems are
 *     keyed ({@code tables[i]} or {@code tables.include[i]})
 */
public record TableSelection(List<TablePattern> include, List<TablePattern> exclude, boolean shorthand) {
    private static final String RESOLVE = "SELECT n.nspname, c.relname FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition"
            + " AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'"
            + " AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname <> ?";

    public TableSelection {
        include = List.copyOf(Objects.requireNonNull(include, "include"));
        exclude = List.copyOf(Objects.requireNonNull(exclude, "exclude"));
        if (include.isEmpty()) {
            throw new IllegalArgumentException("tables must include at least one pattern");
        }
    }

    /** The shorthand form: {@code tables: [a, b]}, include only. */
    public static TableSelection of(List<TablePattern> include) {
        return new TableSelection(include, List.of(), true);
    }

    /** Exactly these tables, each as a quoted pattern. */
    public static TableSelection exactly(List<TableId> tables) {
        return of(tables.stream().map(t -> TablePattern.parse(t.toString())).toList());
    }

    /** The config key of include pattern {@code i}, as problems name it. */
    public String includeKey(int i) {
        return (shorthand ? "tables" : "tables.include") + "[" + i + "]";
    }

    /**
     * The captured tables of the database {@code connection} is on.
     *
     * @param bronzeSchema the bronze schema, never captured
     * @param configName where the config came from, for the exception
     * @throws ConfigException naming every include pattern that matches no table
     */
    public List<TableId> resolve(Connection connection, String bronzeSchema, String configName) throws SQLException {
        List<TableId> candidates = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(RESOLVE)) {
            ps.setString(1, bronzeSchema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    candidates.add(new TableId(rs.getString(1), rs.getString(2)));
                }
            }
        }
        candidates.sort(null);
        List<ConfigProblem> problems = new ArrayList<>();
        for (int i = 0; i < include.size(); i++) {
            TablePattern pattern = include.get(i);
            if (candidates.stream().noneMatch(pattern::matches)) {
                problems.add(new ConfigProblem(includeKey(i), "a pattern matching at least one table (ordinary or"
                        + " partitioned, not a partition) of database " + connection.getCatalog(),
                        "'" + pattern + "', which matches none", "check its spelling and case (unquoted names are"
                        + " folded to lower case; quote a name with capitals, \"Order Items\"), create the table, or"
                        + " remove the pattern"));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(configName, problems);
        }
        List<TableId> selected = candidates.stream()
                .filter(t -> include.stream().anyMatch(p -> p.matches(t)))
                .filter(t -> exclude.stream().noneMatch(p -> p.matches(t)))
                .toList();
        if (selected.isEmpty()) {
            throw new ConfigException(configName, List.of(new ConfigProblem("tables.exclude",
                    "patterns that leave at least one included table", "patterns excluding every one of them",
                    "narrow tables.exclude")));
        }
        return selected;
    }

    /** As written: the include patterns, and the exclude patterns after {@code -}. */
    @Override
    public String toString() {
        return include + (exclude.isEmpty() ? "" : " - " + exclude);
    }
}
