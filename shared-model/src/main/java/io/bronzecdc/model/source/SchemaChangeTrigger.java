package io.bronzecdc.model.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The source's event triggers that make schema changes visible to the engines: for each ALTER TABLE of a published
 * table they emit a logical decoding message (prefix {@value #MESSAGE_PREFIX}) in the DDL's transaction, carrying
 * the table's columns before and after the change (see {@code schema-change-trigger.sql}). Creating an event
 * trigger needs a superuser, so {@code --init} installs it when it may and warns otherwise; without it the replay
 * check reports schema drift.
 */
public final class SchemaChangeTrigger {
    /** The prefix of the messages the trigger emits (and of the Spark run's bound marker, which is not JSON). */
    public static final String MESSAGE_PREFIX = "bronze-cdc";
    /** The {@code event} field of a schema-change message. */
    public static final String SCHEMA_CHANGE_EVENT = "schema_change";
    /** The event trigger that emits the messages. */
    public static final String TRIGGER_NAME = "bronze_cdc_schema_changes";
    private static final String BEFORE_TRIGGER_NAME = "bronze_cdc_columns_before";
    private static final String SCRIPT_RESOURCE = "schema-change-trigger.sql";

    private SchemaChangeTrigger() {
    }

    /** Whether both event triggers exist and are enabled in the connection's database. */
    public static boolean installed(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM"
                + " pg_catalog.pg_event_trigger WHERE evtenabled <> 'D' AND evtname IN ('" + TRIGGER_NAME + "', '"
                + BEFORE_TRIGGER_NAME + "')")) {
            rs.next();
            return rs.getInt(1) == 2;
        }
    }

    /**
     * The fix that installs the triggers, or null when they are installed; only a superuser may apply it.
     *
     * @param user the pipeline's role
     */
    static SourceFix fixFor(Connection c, String user) throws SQLException {
        if (installed(c)) {
            return null;
        }
        boolean superuser;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user")) {
            superuser = rs.next() && rs.getBoolean(1);
        }
        return new SourceFix("event trigger " + TRIGGER_NAME + " is not installed, so schema changes (ALTER TABLE) of"
                + " captured tables are not recorded in bronze and the replay check reports them as schema drift",
                List.of(script()), superuser ? List.of() : List.of(new PrivilegeGap("superuser rights (creating an event"
                        + " trigger needs them)", "have a superuser run bronze-cdc init (or an engine with --init) once")));
    }

    /** The SQL that installs (or reinstalls) the triggers: one script, to run as a superuser. */
    public static String script() {
        try (InputStream in = SchemaChangeTrigger.class.getResourceAsStream(SCRIPT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(SCRIPT_RESOURCE + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + SCRIPT_RESOURCE, e);
        }
    }
}
