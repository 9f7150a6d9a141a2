package io.bronzecdc.cli.database;

import io.bronzecdc.model.config.Secret;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SqlNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.postgresql.PGConnection;

/**
 * The least-privilege role a pipeline captures as ({@code init --create-role NAME}), planned from the catalog so that
 * a second run grants nothing new:
 * <ul>
 *   <li>{@code LOGIN REPLICATION}: to create and read the pipeline's logical replication slot;</li>
 *   <li>{@code CONNECT} on the source database, {@code USAGE} on each captured table's schema and {@code SELECT} on
 *       each captured table (the initial snapshot and a late table's snapshot read them; a partition is read through
 *       its root);</li>
 *   <li>when bronze is in the source database (no {@code target:}), what the engines write there: {@code USAGE,
 *       CREATE} on the bronze schema (a table captured later gets its change log while the pipeline runs) and
 *       {@code SELECT, INSERT, UPDATE, DELETE} on its tables, also on those a later {@code init} creates (default
 *       privileges); with a {@code target:}, bronze is written as {@code target.user}, which this role does not
 *       touch.</li>
 * </ul>
 * Nothing more: the role owns no captured table, so it cannot write to one, alter it, publish it or change its
 * replica identity; those stay with {@code init}, run by the owner or an administrator, when tables are added.
 */
final class CaptureRole {
    private static final String BRONZE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE";

    private final String name;
    private final List<String> problems = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<String> statements = new ArrayList<>();
    private boolean create;

    private CaptureRole(String name) {
        this.name = name;
    }

    /**
     * What the role lacks, read from the catalog; changes nothing.
     *
     * @param bronzeSchema the bronze schema when it is in the source database, else null
     * @param bronzeChanges whether init creates bronze tables in this run (then they need the grants too)
     */
    static CaptureRole plan(Connection c, String name, String database, List<TableId> tables, String bronzeSchema,
            boolean bronzeChanges) throws SQLException {
        CaptureRole role = new CaptureRole(name);
        role.inspect(c, database, tables, bronzeSchema, bronzeChanges);
        return role;
    }

    private void inspect(Connection c, String database, List<TableId> tables, String bronzeSchema,
            boolean bronzeChanges) throws SQLException {
        String quoted = SqlNames.quote(name);
        boolean exists = false;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT rolcanlogin, rolreplication, rolsuper FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    exists = true;
                    if (!rs.getBoolean(1) || !rs.getBoolean(2)) {
                        statements.add("ALTER ROLE " + quoted + " WITH LOGIN REPLICATION");
                    }
                    if (rs.getBoolean(3)) {
                        notes.add("role " + name + " is a superuser, so it is not least-privilege: create the"
                                + " pipeline's role under a new name");
                    }
                    notes.add("role " + name + " exists: its password is left as it is");
                }
            }
        }
        create = !exists;
        if (create) {
            statements.add("CREATE ROLE " + quoted + " WITH LOGIN REPLICATION");
            statements.add("ALTER ROLE " + quoted + " PASSWORD '" + Secret.MASK + "' -- a SCRAM-SHA-256 verifier"
                    + " computed by bronze-cdc: the password itself is neither sent nor printed");
        }
        String me = single(c, "SELECT CASE WHEN rolsuper OR (rolcreaterole AND rolreplication) THEN '' ELSE rolname"
                + " END FROM pg_roles WHERE rolname = current_user", null);
        if (!statements.isEmpty() && me != null && !me.isEmpty()) {
            problems.add("role " + me + " may not create or alter role " + name + " with LOGIN REPLICATION (it needs"
                    + " to be a superuser, or have CREATEROLE and REPLICATION): run init --create-role as such a role");
        }
        if (create || !granted(c, "has_database_privilege(?, ?, 'CONNECT')", database)) {
            statements.add("GRANT CONNECT ON DATABASE " + SqlNames.quote(database) + " TO " + quoted);
        }
        Set<String> schemas = new LinkedHashSet<>();
        tables.forEach(t -> schemas.add(t.schema()));
        for (String schema : schemas) {
            if (create || !granted(c, "has_schema_privilege(?, ?, 'USAGE')", schema)) {
                statements.add("GRANT USAGE ON SCHEMA " + SqlNames.quote(schema) + " TO " + quoted);
            }
        }
        for (TableId table : tables) {
            if (create || !granted(c, "has_table_privilege(?, ?, 'SELECT')", table.quoted())) {
                if (!"true".equals(single(c, "SELECT has_table_privilege(?, 'SELECT WITH GRANT OPTION')::text",
                        table.quoted()))) {
                    problems.add("role " + single(c, "SELECT current_user", null) + " may not grant SELECT on " + table
                            + " to " + name + ": run init --create-role as the table's owner or a superuser");
                }
                statements.add("GRANT SELECT ON " + table.quoted() + " TO " + quoted);
            }
        }
        if (bronzeSchema != null) {
            planBronze(c, bronzeSchema, bronzeChanges);
        } else {
            notes.add("bronze is in the target database and written as target.user: role " + name + " gets no"
                    + " privilege there");
        }
    }

    private void planBronze(Connection c, String schema, boolean bronzeChanges) throws SQLException {
        String quoted = SqlNames.quote(name);
        String bronze = SqlNames.quote(schema);
        boolean schemaExists = single(c, "SELECT nspname FROM pg_namespace WHERE nspname = ?", schema) != null;
        if (create || !schemaExists || !granted(c, "has_schema_privilege(?, ?, 'USAGE')", schema)
                || !granted(c, "has_schema_privilege(?, ?, 'CREATE')", schema)) {
            statements.add("GRANT USAGE, CREATE ON SCHEMA " + bronze + " TO " + quoted);
        }
        boolean tablesLack = create || bronzeChanges;
        if (!tablesLack && schemaExists) {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_class r JOIN pg_namespace n"
                    + " ON n.oid = r.relnamespace, unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p"
                    + " WHERE n.nspname = ? AND r.relkind = 'r' AND NOT has_table_privilege(?, r.oid, p)")) {
                ps.setString(1, schema);
                ps.setString(2, name);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    tablesLack = rs.getLong(1) > 0;
                }
            }
        }
        if (tablesLack) {
            statements.add("GRANT " + BRONZE_PRIVILEGES + " ON ALL TABLES IN SCHEMA " + bronze + " TO " + quoted);
        }
        boolean defaults = false;
        if (!create && schemaExists) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_default_acl d"
                    + " JOIN pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a"
                    + " WHERE n.nspname = ? AND d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
                    + " AND d.defaclobjtype = 'r' AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = ?)"
                    + " AND a.privilege_type = 'DELETE'")) {
                ps.setString(1, schema);
                ps.setString(2, name);
                try (ResultSet rs = ps.executeQuery()) {
                    defaults = rs.next();
                }
            }
        }
        if (!defaults) {
            statements.add("ALTER DEFAULT PRIVILEGES IN SCHEMA " + bronze + " GRANT " + BRONZE_PRIVILEGES
                    + " ON TABLES TO " + quoted);
        }
    }

    /** What keeps this run from creating or granting; each with its fix. */
    List<String> problems() {
        return problems;
    }

    /** What the user should know but need not fix. */
    List<String> notes() {
        return notes;
    }

    /** The statements to run, as printed (the password masked). */
    List<String> statements() {
        return statements;
    }

    /**
     * Runs the statements in one transaction; the password is set as a SCRAM-SHA-256 verifier computed here
     * (pgjdbc's {@code alterUserPassword}), so neither the statement log nor the network sees the password.
     */
    void apply(Connection c, Secret password) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            for (String statement : statements) {
                if (statement.contains(" PASSWORD '" + Secret.MASK + "'")) {
                    c.unwrap(PGConnection.class).alterUserPassword(name, password.reveal().toCharArray(),
                            "scram-sha-256");
                } else {
                    s.execute(statement);
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private boolean granted(Connection c, String check, String object) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + check)) {
            ps.setString(1, name);
            ps.setString(2, object);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static String single(Connection c, String sql, String parameter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (parameter != null) {
                ps.setString(1, parameter);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
