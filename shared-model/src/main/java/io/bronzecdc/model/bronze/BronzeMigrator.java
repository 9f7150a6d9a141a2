package io.bronzecdc.model.bronze;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SqlNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the versioned bronze migrations ({@code migrations/V<n>__<description>.sql}, {@code ${schema}}
 * replaced by the bronze schema) to one bronze schema, recording each in
 * {@code <schema>.bronze_schema_history}. Idempotent: applied versions are skipped, so a second run changes
 * nothing. Concurrent runs serialize on an advisory lock; the whole run is one transaction.
 *
 * <p>Plain SQL rather than Flyway on purpose: the job jars of both engines embed this module, and Flyway's
 * dependencies (a newer Jackson among them) clash with Spark 4.0's pinned Jackson.
 */
public final class BronzeMigrator {
    private static final Logger LOG = LoggerFactory.getLogger(BronzeMigrator.class);
    private static final String HISTORY_TABLE = "bronze_schema_history";

    /** The migrations in order: version, description, resource. Append only; never edit an applied one. */
    private static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "bronze change log tables", "migrations/V1__bronze_change_log_tables.sql"),
            new Migration(2, "sink commit markers", "migrations/V2__sink_commit_markers.sql"),
            new Migration(3, "batch progress", "migrations/V3__batch_progress.sql"),
            new Migration(4, "bronze tables", "migrations/V4__bronze_tables.sql"),
            new Migration(5, "table events", "migrations/V5__table_events.sql"),
            new Migration(6, "pipeline source", "migrations/V6__pipeline_source.sql"),
            new Migration(7, "log progress", "migrations/V7__log_progress.sql"),
            new Migration(8, "batch stage", "migrations/V8__batch_stage.sql"));

    private BronzeMigrator() {
    }

    /**
     * Brings {@code schema} up to the newest version.
     *
     * @return the versions applied by this run (empty when it was up to date)
     * @throws ContractViolationException when a version applied earlier differs from the one in this build
     */
    public static List<Integer> migrate(Connection connection, BronzeSchema schema) throws SQLException {
        return migrate(connection, schema, List.of());
    }

    /**
     * Brings {@code schema} up to the newest version and creates the change-log table of each captured table that
     * has none yet, in the same transaction.
     *
     * @return the versions applied by this run (empty when it was up to date)
     * @throws ContractViolationException when a version applied earlier differs from the one in this build
     */
    public static List<Integer> migrate(Connection connection, BronzeSchema schema, List<TableId> captured)
            throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(hashtext(" + SqlNames.literal("bronze-cdc migrate " + schema.name())
                    + "))");
            // Only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema
            // exists, and a DBA may have created the schema for a role without that privilege.
            if (!schemaExists(connection, schema)) {
                s.execute("CREATE SCHEMA " + SqlNames.quote(schema.name()));
            }
            s.execute("CREATE TABLE IF NOT EXISTS " + schema.quoted(HISTORY_TABLE) + " ("
                    + "version integer PRIMARY KEY, description text NOT NULL, checksum text NOT NULL,"
                    + " applied_at timestamptz NOT NULL DEFAULT now())");
            Map<Integer, String> applied = appliedChecksums(connection, schema);
            List<Integer> appliedNow = new ArrayList<>();
            for (Migration migration : MIGRATIONS) {
                String template = migration.template();
                String checksum = sha256(template);
                String previous = applied.get(migration.version());
                if (previous == null) {
                    s.execute(template.replace("${schema}", SqlNames.quote(schema.name())));
                    record(connection, schema, migration, checksum);
                    appliedNow.add(migration.version());
                } else if (!previous.equals(checksum)) {
                    throw new ContractViolationException("bronze schema " + schema + ": migration V"
                            + migration.version() + " was applied with checksum " + previous + " but this build has "
                            + checksum + ". The schema was created by a different bronze-cdc build; do not edit"
                            + " applied migrations, add a new version instead");
                }
            }
            for (TableId table : captured) {
                recordMapping(connection, schema, table);
                s.execute(schema.createLogTableStatement(table));
            }
            connection.commit();
            if (!appliedNow.isEmpty()) {
                LOG.info("Bronze schema {} migrated: applied versions {}", schema, appliedNow);
            }
            return appliedNow;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /**
     * What {@link #migrate(Connection, BronzeSchema, List)} would run now, without running it: the schema when it is
     * missing, each migration not applied yet (with {@code ${schema}} replaced), and the change-log table of each
     * captured table that has none or whose mapping {@code bronze_tables} lacks. Empty when the schema is up to date;
     * reads the catalog only.
     *
     * @throws ContractViolationException when a version applied earlier differs from the one in this build
     */
    public static List<String> plan(Connection connection, BronzeSchema schema, List<TableId> captured)
            throws SQLException {
        List<String> statements = new ArrayList<>();
        boolean exists = schemaExists(connection, schema);
        if (!exists) {
            statements.add("CREATE SCHEMA " + SqlNames.quote(schema.name()));
        }
        Map<Integer, String> applied = exists && relationExists(connection, schema.quoted(HISTORY_TABLE))
                ? appliedChecksums(connection, schema) : Map.of();
        for (Migration migration : MIGRATIONS) {
            String template = migration.template();
            String previous = applied.get(migration.version());
            if (previous == null) {
                statements.add("-- migration V" + migration.version() + " " + migration.description() + "\n"
                        + template.replace("${schema}", SqlNames.quote(schema.name())).strip());
            } else if (!previous.equals(sha256(template))) {
                throw new ContractViolationException("bronze schema " + schema + ": migration V"
                        + migration.version() + " was applied with checksum " + previous + " but this build has "
                        + sha256(template) + ". The schema was created by a different bronze-cdc build; do not edit"
                        + " applied migrations, add a new version instead");
            }
        }
        Set<TableId> mapped = capturedTables(connection, schema);
        for (TableId table : captured) {
            if (!mapped.contains(table) || !relationExists(connection, schema.tableOf(table))) {
                statements.add(schema.createLogTableStatement(table));
            }
        }
        return statements;
    }

    private static boolean relationExists(Connection connection, String relation) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, relation);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Creates the change-log table of {@code table} and records its mapping in {@code bronze_tables}, in the
     * caller's open transaction (the schema must be migrated already): for a table brought in while the pipeline
     * runs, whose mapping must commit together with its snapshot rows, so that a run dying before that commit
     * leaves the table as never captured.
     */
    public static void addTable(Connection connection, BronzeSchema schema, TableId table) throws SQLException {
        recordMapping(connection, schema, table);
        try (Statement s = connection.createStatement()) {
            s.execute(schema.createLogTableStatement(table));
        }
    }

    /**
     * The source tables {@code bronze_tables} records, that is every table bronze has ever captured; empty when
     * the schema or the table does not exist yet.
     */
    public static Set<TableId> capturedTables(Connection connection, BronzeSchema schema) throws SQLException {
        Set<TableId> tables = new HashSet<>();
        try (Statement s = connection.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT to_regclass(" + SqlNames.literal(
                    schema.quoted(BronzeSchema.TABLES_TABLE)) + ") IS NOT NULL")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return tables;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT source_schema, source_table FROM "
                    + schema.quoted(BronzeSchema.TABLES_TABLE))) {
                while (rs.next()) {
                    tables.add(new TableId(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return tables;
    }

    /**
     * Records which source table {@code table}'s change log records, once; fails when its bronze table already
     * records another source (the naming rule makes that impossible unless someone edited {@code bronze_tables}).
     */
    private static void recordMapping(Connection connection, BronzeSchema schema, TableId table) throws SQLException {
        String bronzeTable = BronzeSchema.logTableName(table);
        String mappings = schema.quoted(BronzeSchema.TABLES_TABLE);
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + mappings
                + " (source_schema, source_table, bronze_table) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
                PreparedStatement check = connection.prepareStatement("SELECT source_schema, source_table,"
                        + " bronze_table FROM " + mappings + " WHERE bronze_table = ?"
                        + " OR (source_schema = ? AND source_table = ?)")) {
            insert.setString(1, table.schema());
            insert.setString(2, table.name());
            insert.setString(3, bronzeTable);
            insert.executeUpdate();
            check.setString(1, bronzeTable);
            check.setString(2, table.schema());
            check.setString(3, table.name());
            try (ResultSet rs = check.executeQuery()) {
                while (rs.next()) {
                    TableId recorded = new TableId(rs.getString(1), rs.getString(2));
                    if (!recorded.equals(table) || !bronzeTable.equals(rs.getString(3))) {
                        throw new ContractViolationException(schema + "." + BronzeSchema.TABLES_TABLE + " maps "
                                + recorded + " to " + schema + "." + rs.getString(3) + ", but " + table
                                + " needs " + schema + "." + bronzeTable + ": two source tables cannot share a"
                                + " change log. Was the mapping edited by hand? Restore it, or use a new"
                                + " bronze.schema");
                    }
                }
            }
        }
    }

    private static boolean schemaExists(Connection connection, BronzeSchema schema) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
            ps.setString(1, schema.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Map<Integer, String> appliedChecksums(Connection connection, BronzeSchema schema)
            throws SQLException {
        Map<Integer, String> applied = new LinkedHashMap<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT version, checksum FROM " + schema.quoted(HISTORY_TABLE) + " ORDER BY version")) {
            while (rs.next()) {
                applied.put(rs.getInt(1), rs.getString(2));
            }
        }
        return applied;
    }

    private static void record(Connection connection, BronzeSchema schema, Migration migration, String checksum)
            throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + schema.quoted(HISTORY_TABLE)
                + " (version, description, checksum) VALUES (?, ?, ?)")) {
            ps.setInt(1, migration.version());
            ps.setString(2, migration.description());
            ps.setString(3, checksum);
            ps.executeUpdate();
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private record Migration(int version, String description, String resource) {
        /** The migration's SQL with {@code ${schema}} not yet replaced; its checksum is recorded. */
        String template() {
            try (InputStream in = BronzeMigrator.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("bronze migration " + resource + " is missing from the jar");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("could not read bronze migration " + resource, e);
            }
        }
    }
}
