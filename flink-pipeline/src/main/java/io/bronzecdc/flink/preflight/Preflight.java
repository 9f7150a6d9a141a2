package io.bronzecdc.flink.preflight;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.SourceSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Checks, before the job writes anything, that the source database can feed this pipeline: logical WAL,
 * a role allowed to replicate, the captured tables present with REPLICA IDENTITY FULL, the publication
 * publishing them through their partition root, the slot free, and room for prepared transactions and the
 * snapshot readers' temporary slots. Every problem is reported at once, each with its fix.
 *
 * <p>With {@code init}, the fixable ones are fixed instead: REPLICA IDENTITY FULL is set and the publication is
 * created.
 */
public final class Preflight {
    private final PipelineConfig config;
    private final int parallelism;

    /**
     * @param parallelism the job's parallelism: each snapshot reader holds a temporary slot
     */
    public Preflight(PipelineConfig config, int parallelism) {
        this.config = config;
        this.parallelism = parallelism;
    }

    /**
     * Runs every check.
     *
     * @param init fix what can be fixed (replica identity, publication) instead of reporting it
     * @throws PreflightException listing every problem that remains
     */
    public void run(Connection c, boolean init) throws SQLException {
        List<String> problems = new ArrayList<>();
        String walLevel = single(c, "SELECT current_setting('wal_level')");
        if (!"logical".equals(walLevel)) {
            problems.add("wal_level is '" + walLevel + "' but logical decoding needs 'logical': run ALTER SYSTEM SET"
                    + " wal_level = logical and restart the server");
        }
        String user = single(c, "SELECT current_user");
        if (!"t".equals(single(c, "SELECT (rolreplication OR rolsuper)::text::char FROM pg_roles WHERE rolname = current_user"))) {
            problems.add("role " + user + " may not replicate: run ALTER ROLE " + user + " WITH REPLICATION");
        }
        if (Integer.parseInt(single(c, "SELECT current_setting('max_prepared_transactions')")) < parallelism + 1) {
            problems.add("max_prepared_transactions is " + single(c, "SELECT current_setting('max_prepared_transactions')")
                    + " but the exactly-once sink prepares one transaction per subtask and checkpoint in flight: set"
                    + " it to at least " + 2 * (parallelism + 1) + " and restart the server");
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
        if (!notFull.isEmpty() && init) {
            SourceSchema.ensureReplicaIdentityFull(c, present);
        } else if (!notFull.isEmpty()) {
            problems.add("REPLICA IDENTITY is not FULL on " + String.join(", ", notFull) + ", so updates and deletes"
                    + " would lose column values: run " + notFull.stream().map(t -> "ALTER TABLE " + t
                    + " REPLICA IDENTITY FULL;").collect(Collectors.joining(" ")) + " (or start with --init)");
        }
        checkPublication(c, present, init, problems);
        checkSlot(c, problems);
        if (!problems.isEmpty()) {
            throw new PreflightException(config.source().database(), problems);
        }
    }

    private void checkPublication(Connection c, List<TableId> tables, boolean init, List<String> problems)
            throws SQLException {
        String publication = config.source().publicationName();
        String viaRoot = single(c, "SELECT pubviaroot::text FROM pg_publication WHERE pubname = '" + publication + "'");
        String create = "CREATE PUBLICATION " + publication + " FOR TABLE " + tables.stream()
                .map(TableId::qualifiedName).collect(Collectors.joining(", ")) + " WITH (publish_via_partition_root = true)";
        if (viaRoot == null && init) {
            try (Statement s = c.createStatement()) {
                s.execute(create);
            }
            return;
        }
        if (viaRoot == null) {
            problems.add("publication " + publication + " does not exist: run " + create + " (or start with --init)");
            return;
        }
        if (!"true".equals(viaRoot)) {
            problems.add("publication " + publication + " publishes partitions under their own names, so payment"
                    + " changes would arrive as payment_p2022_01 and so on: run ALTER PUBLICATION " + publication
                    + " SET (publish_via_partition_root = true)");
        }
        for (TableId table : tables) {
            if (single(c, "SELECT 1 FROM pg_publication_tables WHERE pubname = '" + publication
                    + "' AND schemaname = '" + table.schema() + "' AND tablename = '" + table.name() + "'") == null) {
                problems.add("publication " + publication + " does not publish " + table + ": run ALTER PUBLICATION "
                        + publication + " ADD TABLE " + table);
            }
        }
    }

    private void checkSlot(Connection c, List<String> problems) throws SQLException {
        String slot = config.source().slotName();
        boolean slotExists;
        try (PreparedStatement ps = c.prepareStatement("SELECT plugin, database, active_pid,"
                + " (SELECT application_name FROM pg_stat_activity a WHERE a.pid = s.active_pid)"
                + " FROM pg_replication_slots s WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                slotExists = rs.next();
                if (slotExists) {
                    if (!"pgoutput".equals(rs.getString(1)) || !config.source().database().equals(rs.getString(2))) {
                        problems.add("replication slot " + slot + " exists for plugin " + rs.getString(1)
                                + " in database " + rs.getString(2) + ", not pgoutput in " + config.source().database()
                                + ": give this pipeline another source.slot.name");
                    }
                    if (rs.getObject(3) != null) {
                        problems.add("replication slot " + slot + " is in use by process " + rs.getInt(3)
                                + " (application '" + rs.getString(4) + "'): another job reads it. Stop that job, or"
                                + " give this pipeline its own source.slot.name");
                    }
                }
            }
        }
        int free = Integer.parseInt(single(c, "SELECT current_setting('max_replication_slots')::int"
                + " - (SELECT count(*) FROM pg_replication_slots)"));
        int needed = parallelism + (slotExists ? 0 : 1);
        if (free < needed) {
            problems.add("only " + free + " replication slots are free but the job needs " + needed
                    + " (its slot plus a temporary one per snapshot reader): raise max_replication_slots or drop"
                    + " unused slots");
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
