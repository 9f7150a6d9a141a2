package io.bronzecdc.spark.preflight;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.SourceSchema;
import io.bronzecdc.spark.source.SlotState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks, before a run reads or writes anything, that the source can feed the batch pipeline: logical WAL, a
 * role allowed to replicate, the captured tables present with REPLICA IDENTITY FULL, the publication publishing
 * them through their partition root, and the pipeline's slot (when it exists) a pgoutput slot of this database
 * that nobody else is using. Every problem is reported at once, each with its fix.
 */
public final class BatchPreflight {
    private final PipelineConfig config;

    public BatchPreflight(PipelineConfig config) {
        this.config = config;
    }

    /**
     * Runs every check.
     *
     * @return the pipeline's slot, or empty when it does not exist yet (the first run creates it)
     * @throws PreflightException listing every problem
     */
    public Optional<SlotState> run(Connection c) throws SQLException {
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
                        + ": create it or remove it from 'tables'");
            } else {
                present.add(table);
            }
        }
        for (String relation : SourceSchema.relationsWithoutFullIdentity(c, present)) {
            problems.add(relation + " does not have REPLICA IDENTITY FULL, so updates and deletes would arrive"
                    + " without the complete row: run ALTER TABLE " + relation + " REPLICA IDENTITY FULL");
        }
        checkPublication(c, present, problems);
        Optional<SlotState> slot = SlotState.read(c, config.source().slotName());
        slot.ifPresent(s -> checkSlot(s, problems));
        if (!problems.isEmpty()) {
            throw new PreflightException(config.source().slotName(), problems);
        }
        return slot;
    }

    private void checkPublication(Connection c, List<TableId> tables, List<String> problems) throws SQLException {
        String publication = config.source().publicationName();
        String viaRoot = single(c, "SELECT pubviaroot::text FROM pg_publication WHERE pubname = '" + publication + "'");
        String fix = "CREATE PUBLICATION " + publication + " FOR TABLE " + String.join(", ",
                config.tables().stream().map(TableId::qualifiedName).toList())
                + " WITH (publish_via_partition_root = true)";
        if (viaRoot == null) {
            problems.add("publication " + publication + " does not exist: run " + fix);
            return;
        }
        if (!"true".equals(viaRoot)) {
            problems.add("publication " + publication + " publishes partitions under their own names: run ALTER"
                    + " PUBLICATION " + publication + " SET (publish_via_partition_root = true)");
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

    private void checkSlot(SlotState slot, List<String> problems) {
        String name = slot.name();
        if (!"pgoutput".equals(slot.plugin()) || !config.source().database().equals(slot.database())) {
            problems.add("replication slot " + name + " exists but is not a pgoutput slot of database "
                    + config.source().database() + " (plugin " + slot.plugin() + ", database " + slot.database()
                    + "): another pipeline owns this name; give this pipeline its own source.slot.name");
        }
        if (slot.activePid() != null) {
            problems.add("replication slot " + name + " is in use by backend " + slot.activePid()
                    + " (another consumer, for example a streaming pipeline configured with the same slot): give"
                    + " each pipeline its own source.slot.name, or stop the other consumer");
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
