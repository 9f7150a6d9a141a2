package io.bronzecdc.cli.database;

import io.bronzecdc.cli.CommandException;
import io.bronzecdc.cli.ConfigOption;
import io.bronzecdc.model.ExitCode;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.postgres.SqlNames;
import io.bronzecdc.model.source.SchemaChangeTrigger;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bronze-cdc drop}: removes an abandoned pipeline's replication slot (so it holds no WAL) and publication, and
 * with {@code --bronze} its bronze schema and, when no other pipeline of the database remains, the schema-change
 * trigger. Refuses while a process reads the slot. Without {@code --yes} it only lists what it would drop.
 */
@Command(name = "drop", mixinStandardHelpOptions = true,
        description = "Drops the pipeline's replication slot and publication; with --bronze also its bronze schema"
                + " (every change log) and, when no other slot or publication is left in the source database, the"
                + " schema-change trigger. Without --yes it lists what it would drop and changes nothing.",
        footer = {"", "Exit codes: 0 dropped (or nothing to drop), 2 without --yes or bad input (nothing dropped), 3"
                + " a process reads the slot (stop the pipeline first; nothing dropped)."})
public final class DropCommand implements Callable<Integer> {
    private static final String TRIGGER_SCHEMA = "bronze_cdc";

    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigOption config;

    @Option(names = "--yes", description = "Really drop; without it, list what would be dropped.")
    private boolean yes;

    @Option(names = "--bronze", description = "Also drop the bronze schema with every change log in it.")
    private boolean bronze;

    @Override
    public Integer call() throws SQLException {
        PrintWriter out = spec.commandLine().getOut();
        try (PipelineDatabases db = PipelineDatabases.open(config, spec.commandLine().getErr(), "drop")) {
            PipelineConfig pipeline = db.config();
            String slot = pipeline.source().slotName();
            String publication = pipeline.source().publicationName();
            Connection source = db.source();
            List<String> sourceDrops = new ArrayList<>();
            List<String> bronzeDrops = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            try (PreparedStatement ps = source.prepareStatement("SELECT active_pid, (SELECT application_name FROM"
                    + " pg_stat_activity a WHERE a.pid = s.active_pid), database FROM pg_replication_slots s"
                    + " WHERE slot_name = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        if (rs.getObject(1) != null) {
                            throw new CommandException(ExitCode.ANOTHER_RUN_ACTIVE, "replication slot " + slot
                                    + " is in use by process " + rs.getInt(1) + " (application '" + rs.getString(2)
                                    + "'): stop that pipeline first (Ctrl-C the stream, cancel the Flink job, let the"
                                    + " batch finish), then drop again; nothing was dropped");
                        }
                        if (!pipeline.source().database().equals(rs.getString(3))) {
                            throw new CommandException(ExitCode.NOT_READY, "replication slot " + slot + " belongs to"
                                    + " database " + rs.getString(3) + ", not " + pipeline.source().database()
                                    + ": it is another pipeline's; nothing was dropped");
                        }
                        sourceDrops.add("SELECT pg_drop_replication_slot(" + SqlNames.literal(slot) + ")");
                    }
                }
            }
            if (exists(source, "SELECT 1 FROM pg_publication WHERE pubname = ?", publication)) {
                sourceDrops.add("DROP PUBLICATION " + SqlNames.quote(publication));
            }
            if (bronze) {
                if (db.bronzeSchemaExists(db.schema().name())) {
                    bronzeDrops.add("DROP SCHEMA " + SqlNames.quote(db.schema().name()) + " CASCADE");
                }
                if (SchemaChangeTrigger.installed(source)) {
                    planTrigger(source, slot, publication, sourceDrops, notes);
                }
            }
            if (sourceDrops.isEmpty() && bronzeDrops.isEmpty()) {
                notes.forEach(note -> out.println("note: " + note));
                out.println("drop: nothing to drop (no slot " + slot + ", no publication " + publication
                        + (bronze ? ", no bronze schema " + db.schema() : "") + ")");
                out.flush();
                return ExitCode.SUCCESS.code();
            }
            List<String> all = new ArrayList<>(sourceDrops);
            all.addAll(bronzeDrops);
            if (!yes) {
                StringBuilder message = new StringBuilder("drop needs --yes; it would run:");
                all.forEach(statement -> message.append("\n  ").append(statement).append(';'));
                notes.forEach(note -> message.append("\nnote: ").append(note));
                message.append("\nnothing was dropped");
                throw new CommandException(ExitCode.NOT_READY, message.toString());
            }
            run(source, sourceDrops, slot);
            run(db.bronze(), bronzeDrops, slot);
            all.forEach(statement -> out.println(statement + ";"));
            notes.forEach(note -> out.println("note: " + note));
            out.println("drop: done; the source holds no slot or publication of pipeline " + slot + " any more"
                    + (bronze ? ", and its bronze schema " + db.schema() + " is gone" : ""));
            out.flush();
            return ExitCode.SUCCESS.code();
        }
    }

    /**
     * The trigger serves every pipeline of the database: it goes only when no other slot or publication is left, and
     * only a superuser may drop it.
     */
    private static void planTrigger(Connection source, String slot, String publication, List<String> drops,
            List<String> notes) throws SQLException {
        long others;
        try (PreparedStatement ps = source.prepareStatement("SELECT (SELECT count(*) FROM pg_replication_slots WHERE"
                + " database = current_database() AND slot_name <> ?) + (SELECT count(*) FROM pg_publication WHERE"
                + " pubname <> ?)")) {
            ps.setString(1, slot);
            ps.setString(2, publication);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                others = rs.getLong(1);
            }
        }
        if (others > 0) {
            notes.add("the schema-change trigger " + SchemaChangeTrigger.TRIGGER_NAME + " stays: another replication"
                    + " slot or publication of this database may use it");
            return;
        }
        if (!exists(source, "SELECT 1 FROM pg_roles WHERE rolname = current_user AND rolsuper", null)) {
            notes.add("the schema-change trigger " + SchemaChangeTrigger.TRIGGER_NAME + " stays: only a superuser may"
                    + " drop it (DROP EVENT TRIGGER bronze_cdc_schema_changes; DROP EVENT TRIGGER"
                    + " bronze_cdc_columns_before; DROP SCHEMA bronze_cdc CASCADE)");
            return;
        }
        drops.add("DROP EVENT TRIGGER IF EXISTS " + SchemaChangeTrigger.TRIGGER_NAME);
        drops.add("DROP EVENT TRIGGER IF EXISTS bronze_cdc_columns_before");
        drops.add("DROP SCHEMA IF EXISTS " + TRIGGER_SCHEMA + " CASCADE");
    }

    /** Runs the statements in one transaction; a slot taken since the check makes it exit 3, nothing dropped. */
    private static void run(Connection c, List<String> statements, String slot) throws SQLException {
        if (statements.isEmpty()) {
            return;
        }
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            if ("55006".equals(e.getSQLState())) { // object_in_use: a process took the slot since the check
                throw new CommandException(ExitCode.ANOTHER_RUN_ACTIVE, "replication slot " + slot + " was taken by"
                        + " a process while drop ran (" + e.getMessage() + "): stop the pipeline first; nothing was"
                        + " dropped", e);
            }
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private static boolean exists(Connection c, String sql, String parameter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (parameter != null) {
                ps.setString(1, parameter);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
