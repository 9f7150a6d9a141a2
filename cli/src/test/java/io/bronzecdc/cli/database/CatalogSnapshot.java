package io.bronzecdc.cli.database;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What a command may change in a database, as text to compare before and after: schemas, relations with their replica
 * identity, publications and their tables, roles with their attributes, event triggers, replication slots, and the
 * row count of every user table.
 */
public final class CatalogSnapshot {
    private CatalogSnapshot() {
    }

    public static List<String> of(Connection c) throws SQLException {
        List<String> lines = new ArrayList<>();
        query(c, lines, "SELECT 'schema ' || nspname FROM pg_namespace ORDER BY 1");
        query(c, lines, "SELECT 'relation ' || n.nspname || '.' || r.relname || ' ' || r.relkind::text || ' identity '"
                + " || r.relreplident::text || ' acl ' || coalesce(r.relacl::text, '-') FROM pg_class r"
                + " JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname NOT IN ('pg_catalog',"
                + " 'information_schema', 'pg_toast') ORDER BY 1");
        query(c, lines, "SELECT 'publication ' || pubname || ' viaroot ' || pubviaroot || ' all ' || puballtables"
                + " FROM pg_publication ORDER BY 1");
        query(c, lines, "SELECT 'published ' || p.pubname || ' ' || r.prrelid::regclass FROM pg_publication_rel r"
                + " JOIN pg_publication p ON p.oid = r.prpubid ORDER BY 1");
        query(c, lines, "SELECT 'role ' || rolname || ' login ' || rolcanlogin || ' replication ' || rolreplication"
                + " FROM pg_roles ORDER BY 1");
        query(c, lines, "SELECT 'default acl ' || defaclacl::text FROM pg_default_acl ORDER BY 1");
        query(c, lines, "SELECT 'event trigger ' || evtname || ' ' || evtenabled::text FROM pg_event_trigger ORDER BY 1");
        query(c, lines, "SELECT 'slot ' || slot_name || ' ' || coalesce(database, '-') FROM pg_replication_slots"
                + " ORDER BY 1");
        List<String> tables = new ArrayList<>();
        query(c, tables, "SELECT format('%I.%I', n.nspname, r.relname) FROM pg_class r JOIN pg_namespace n"
                + " ON n.oid = r.relnamespace WHERE r.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog',"
                + " 'information_schema', 'pg_toast') ORDER BY 1");
        for (String table : tables) {
            query(c, lines, "SELECT 'rows " + table.replace("'", "''") + " ' || count(*) FROM " + table);
        }
        return lines;
    }

    private static void query(Connection c, List<String> lines, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
        }
    }
}
