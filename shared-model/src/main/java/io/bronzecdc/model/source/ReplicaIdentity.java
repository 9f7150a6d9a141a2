package io.bronzecdc.model.source;

import io.bronzecdc.model.event.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The replica identity the capture requires: FULL on every captured table and each of its partitions, so that
 * updates and deletes carry the complete old row and unchanged TOAST values arrive complete.
 */
public final class ReplicaIdentity {
    private ReplicaIdentity() {
    }

    /**
     * The tables and partitions of {@code tables} whose replica identity is not FULL, as {@code schema.name}.
     */
    public static List<String> relationsNotFull(Connection connection, Collection<TableId> tables)
            throws SQLException {
        List<String> relations = new ArrayList<>();
        // pg_partition_tree() lists a partitioned table and its partitions, but nothing for a plain table:
        // the table itself is added explicitly.
        // Each root before its partitions (level by level): the order writers lock them in.
        String sql = "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)"
                + " FROM (SELECT relid, level FROM pg_partition_tree(?::regclass) UNION SELECT ?::regclass, 0) t"
                + " JOIN pg_class c ON c.oid = t.relid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relreplident <> 'f' ORDER BY t.level, c.relname";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (TableId table : tables) {
                ps.setString(1, table.quoted());
                ps.setString(2, table.quoted());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        relations.add(rs.getString(1));
                    }
                }
            }
        }
        return relations;
    }
}
