package io.bronzecdc.model.testing;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * The source of the tables-created-later tests of both engines: schema {@code app} with table {@code app.base} (30
 * rows, REPLICA IDENTITY FULL) and the pipeline's publication ({@code <slot>_pub}, as {@code publishes} says: {@code
 * FOR TABLE app.base} or {@code FOR TABLES IN SCHEMA app}); for a reader, role {@code late_reader}, which may log in,
 * replicate, read {@code app} (now and later) and emit the schema-change messages, but owns nothing, so it may not
 * publish a table itself.
 */
public final class LateTableSource {
    /** The role that reads without owning. */
    public static final String READER = "late_reader";

    private LateTableSource() {
    }

    public static void create(Statement s, String database, String slot, String publishes, boolean reader)
            throws SQLException {
        s.execute("CREATE SCHEMA app");
        s.execute("CREATE TABLE app.base (id serial PRIMARY KEY, touched integer NOT NULL DEFAULT 0, payload text)");
        s.execute("ALTER TABLE app.base REPLICA IDENTITY FULL");
        s.execute("INSERT INTO app.base (payload) SELECT 'base ' || g FROM generate_series(1, 30) g");
        s.execute("CREATE PUBLICATION " + slot + "_pub " + publishes + " WITH (publish_via_partition_root = true)");
        if (!reader) {
            return;
        }
        s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + READER + "') THEN"
                + " CREATE ROLE " + READER + " LOGIN REPLICATION; END IF; END $$");
        s.execute("GRANT CREATE ON DATABASE " + database + " TO " + READER);
        s.execute("GRANT USAGE ON SCHEMA app TO " + READER);
        s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA app TO " + READER);
        s.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO " + READER);
        s.execute("DO $$ DECLARE f regprocedure; BEGIN FOR f IN SELECT oid::regprocedure FROM pg_proc"
                + " WHERE proname = 'pg_logical_emit_message' LOOP"
                + " EXECUTE 'GRANT EXECUTE ON FUNCTION ' || f || ' TO " + READER + "'; END LOOP; END $$");
    }
}
