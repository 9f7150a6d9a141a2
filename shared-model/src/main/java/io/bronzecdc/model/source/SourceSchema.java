package io.bronzecdc.model.source;

import io.bronzecdc.model.event.TableId;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The source schema of the Pagila tables (customer, rental, and payment partitioned by month), and the
 * replica identity the capture requires.
 */
public final class SourceSchema {
    private static final String DDL_RESOURCE = "pagila-schema.sql";

    private SourceSchema() {
    }

    /**
     * Creates customer, rental and payment (with its monthly partitions) in schema {@code public} if they do not
     * exist, with REPLICA IDENTITY FULL on every table and partition. Idempotent.
     */
    public static void create(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(ddl());
        }
        ensureReplicaIdentityFull(connection, List.of(PagilaTable.values()).stream().map(PagilaTable::id).toList());
    }

    /**
     * Sets REPLICA IDENTITY FULL on each table and each of its partitions where it is not set yet, so that
     * updates and deletes carry the complete old row and unchanged TOAST values arrive complete.
     *
     * @return the tables and partitions that were changed
     */
    public static List<String> ensureReplicaIdentityFull(Connection connection, Collection<TableId> tables)
            throws SQLException {
        List<String> changed = new ArrayList<>();
        for (String relation : relationsWithoutFullIdentity(connection, tables)) {
            try (Statement s = connection.createStatement()) {
                s.execute("ALTER TABLE " + relation + " REPLICA IDENTITY FULL");
            }
            changed.add(relation);
        }
        return changed;
    }

    /**
     * The tables and partitions of {@code tables} whose replica identity is not FULL, as {@code schema.name} with
     * each part through {@code quote_ident}: usable in SQL and readable in messages.
     */
    public static List<String> relationsWithoutFullIdentity(Connection connection, Collection<TableId> tables)
            throws SQLException {
        List<String> relations = new ArrayList<>();
        // pg_partition_tree() lists a partitioned table and its partitions, but nothing for a plain table:
        // the table itself is added explicitly.
        String sql = "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.oid IN (SELECT relid FROM pg_partition_tree(?::regclass) UNION SELECT ?::regclass)"
                + " AND c.relreplident <> 'f' ORDER BY c.relkind DESC, c.relname";
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

    private static String ddl() {
        try (InputStream in = SourceSchema.class.getResourceAsStream(DDL_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + DDL_RESOURCE + " is missing from the shared-model jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read resource " + DDL_RESOURCE, e);
        }
    }
}
