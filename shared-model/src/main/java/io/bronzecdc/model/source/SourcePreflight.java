package io.bronzecdc.model.source;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The checks every engine runs on the source database before it writes anything: logical WAL, a role allowed to
 * replicate, the captured tables present with REPLICA IDENTITY FULL (partitions included), the publication
 * present, publishing through the partition root and covering every table, and the pipeline's slot, when it
 * exists, a pgoutput slot of this database that no other process reads. Each problem comes with its fix; the
 * engines add their own checks and report everything at once.
 */
public final class SourcePreflight {
    private final PipelineConfig config;
    private final String fixHint;

    /**
     * @param fixHint appended to the problems the engine can fix itself, for example
     *     {@code " (or start with --init)"}; empty when it cannot
     */
    public SourcePreflight(PipelineConfig config, String fixHint) {
        this.config = config;
        this.fixHint = fixHint;
    }

    /**
     * Runs the checks.
     *
     * @param fix set REPLICA IDENTITY FULL and create the publication where missing, instead of reporting them
     * @return every problem found, each naming its fix; empty when the source is ready
     */
    public List<String> check(Connection c, boolean fix) throws SQLException {
        List<String> problems = new ArrayList<>();
        String walLevel = single(c, "SELECT current_setting('wal_level')");
        if (!"logical".equals(walLevel)) {
            problems.add("wal_level is '" + walLevel + "' but logical decoding needs 'logical': run ALTER SYSTEM SET"
                    + " wal_level = logical and restart the server");
        }
        String user = single(c, "SELECT current_user");
        if (!"true".equals(single(c, "SELECT (rolreplication OR rolsuper)::text FROM pg_roles WHERE rolname = current_user"))) {
            problems.add("role " + user + " may not replicate: run ALTER ROLE " + user + " WITH REPLICATION");
        }
        List<TableId> present = new ArrayList<>();
        for (TableId table : config.tables()) {
            if (single(c, "SELECT to_regclass('" + table.qualifiedName() + "')::text") == null) {
                problems.add("table " + table + " does not exist in database " + config.source().database()
                        + ": create it, or remove it from 'tables' in the pipeline config");
            } else {
                present.add(table);
            }
        }
        List<String> notFull = SourceSchema.relationsWithoutFullIdentity(c, present);
        if (!notFull.isEmpty() && fix) {
            SourceSchema.ensureReplicaIdentityFull(c, present);
        } else if (!notFull.isEmpty()) {
            problems.add("REPLICA IDENTITY is not FULL on " + String.join(", ", notFull) + ", so updates and deletes"
                    + " would lose column values: run " + notFull.stream().map(t -> "ALTER TABLE " + t
                    + " REPLICA IDENTITY FULL;").collect(Collectors.joining(" ")) + fixHint);
        }
        checkPublication(c, present, fix, problems);
        checkSlot(c, problems);
        return problems;
    }

    private void checkPublication(Connection c, List<TableId> tables, boolean fix, List<String> problems)
            throws SQLException {
        String publication = config.source().publicationName();
        String viaRoot = single(c, "SELECT pubviaroot::text FROM pg_publication WHERE pubname = '" + publication + "'");
        String create = "CREATE PUBLICATION " + publication + " FOR TABLE " + tables.stream()
                .map(TableId::qualifiedName).collect(Collectors.joining(", ")) + " WITH (publish_via_partition_root = true)";
        if (viaRoot == null && fix) {
            try (Statement s = c.createStatement()) {
                s.execute(create);
            }
            return;
        }
        if (viaRoot == null) {
            problems.add("publication " + publication + " does not exist: run " + create + fixHint);
            return;
        }
        if (!"true".equals(viaRoot)) {
            problems.add("publication " + publication + " publishes partitions under their own names, so payment"
                    + " changes would arrive as payment_p2022_01 and so on: run ALTER PUBLICATION " + publication
                    + " SET (publish_via_partition_root = true)");
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication_tables"
                + " WHERE pubname = ? AND schemaname = ? AND tablename = ?")) {
            for (TableId table : tables) {
                ps.setString(1, publication);
                ps.setString(2, table.schema());
                ps.setString(3, table.name());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        problems.add("publication " + publication + " does not publish " + table
                                + ": run ALTER PUBLICATION " + publication + " ADD TABLE " + table);
                    }
                }
            }
        }
    }

    private void checkSlot(Connection c, List<String> problems) throws SQLException {
        String slot = config.source().slotName();
        try (PreparedStatement ps = c.prepareStatement("SELECT plugin, database, active_pid,"
                + " (SELECT application_name FROM pg_stat_activity a WHERE a.pid = s.active_pid)"
                + " FROM pg_replication_slots s WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                if (!"pgoutput".equals(rs.getString(1)) || !config.source().database().equals(rs.getString(2))) {
                    problems.add("replication slot " + slot + " exists for plugin " + rs.getString(1)
                            + " in database " + rs.getString(2) + ", not pgoutput in " + config.source().database()
                            + ": another pipeline owns this name; give this pipeline its own source.slot.name");
                }
                if (rs.getObject(3) != null) {
                    problems.add("replication slot " + slot + " is in use by process " + rs.getInt(3)
                            + " (application '" + rs.getString(4) + "'): another job reads it. Stop that job, or"
                            + " give this pipeline its own source.slot.name");
                }
            }
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
