package io.bronzecdc.model.source;

import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.event.UpdateRule;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the capture reads about a source table from {@code pg_catalog}, rather than declaring it in code. */
public final class SourceCatalog {
    private SourceCatalog() {
    }

    /** The table's primary key columns in key order; empty when the table has none. */
    public static List<String> primaryKey(Connection connection, TableId table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT a.attname FROM pg_index i"
                + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
                + " WHERE i.indrelid = to_regclass(?) AND i.indisprimary"
                + " ORDER BY array_position(i.indkey::int2[], a.attnum)")) {
            ps.setString(1, table.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(rs.getString(1));
                }
            }
        }
        return List.copyOf(columns);
    }

    /**
     * How each table's updates are logged, from its primary key as the catalog gives it now: read once when the
     * capture starts (a Spark run, the Flink job), never from the replica identity flags of the stream.
     */
    public static Map<TableId, UpdateRule> updateRules(Connection connection, Collection<TableId> tables)
            throws SQLException {
        Map<TableId, UpdateRule> rules = new LinkedHashMap<>();
        for (TableId table : tables) {
            rules.put(table, new UpdateRule(primaryKey(connection, table)));
        }
        return Map.copyOf(rules);
    }
}
