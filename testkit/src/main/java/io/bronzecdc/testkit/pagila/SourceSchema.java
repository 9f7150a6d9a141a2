package io.bronzecdc.testkit.pagila;

import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.ReplicaIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
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
        return ReplicaIdentity.relationsNotFull(connection, tables);
    }

    private static String ddl() {
        try (InputStream in = SourceSchema.class.getResourceAsStream(DDL_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + DDL_RESOURCE + " is missing from the testkit jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read resource " + DDL_RESOURCE, e);
        }
    }
}
