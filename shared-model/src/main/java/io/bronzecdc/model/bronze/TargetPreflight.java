package io.bronzecdc.model.bronze;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.postgres.SqlNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks every engine runs on the database bronze is written to (the {@code target:} database, or the source
 * when the config has none) before it writes anything: the role may create the bronze schema and its tables.
 * Engines add their own target checks (the Flink sink's prepared transactions) and report the problems of both
 * sides at once, through {@link #bySide}.
 */
public final class TargetPreflight {
    private TargetPreflight() {
    }

    /**
     * What keeps the pipeline's role from creating the bronze schema and its tables; changes nothing.
     *
     * @param target a connection to the database bronze is written to
     */
    public static List<String> problems(Connection target, PipelineConfig config) throws SQLException {
        String schema = config.bronze().schema();
        String database = config.bronzeDatabase().database();
        String user = single(target, "SELECT current_user", null);
        boolean exists = single(target, "SELECT nspname FROM pg_namespace WHERE nspname = ?", schema) != null;
        if (!exists && !"true".equals(single(target,
                "SELECT has_database_privilege(current_database(), 'CREATE')::text", null))) {
            return List.of("role " + user + " may not create the bronze schema " + schema + " (it lacks CREATE on"
                    + " database " + database + "): run GRANT CREATE ON DATABASE " + SqlNames.quote(database) + " TO "
                    + SqlNames.quote(user) + ", or have the database owner run CREATE SCHEMA " + SqlNames.quote(schema)
                    + " AUTHORIZATION " + SqlNames.quote(user));
        }
        // has_schema_privilege takes the schema's name as it is, not as an identifier to parse
        if (exists && !"true".equals(single(target, "SELECT has_schema_privilege(?, 'CREATE')::text", schema))) {
            return List.of("role " + user + " may not create the bronze tables in schema " + schema + " (it lacks"
                    + " CREATE on that schema): run GRANT USAGE, CREATE ON SCHEMA " + SqlNames.quote(schema) + " TO "
                    + SqlNames.quote(user)
                    + " as its owner, or point bronze.schema at a schema the role owns");
        }
        return List.of();
    }

    /**
     * The problems of both sides in one list. With a separate target each problem says which side it is about
     * ({@code source database x: ...}, {@code target database y: ...}); without one, both are the same database
     * and the problems are listed as they are.
     */
    public static List<String> bySide(PipelineConfig config, List<String> sourceProblems,
            List<String> targetProblems) {
        List<String> all = new ArrayList<>();
        if (!config.hasSeparateTarget()) {
            all.addAll(sourceProblems);
            all.addAll(targetProblems);
            return all;
        }
        sourceProblems.forEach(p -> all.add("source database " + config.source().database() + ": " + p));
        targetProblems.forEach(p -> all.add("target database " + config.bronzeDatabase().database() + ": " + p));
        return all;
    }

    /** Who the problems of {@link #bySide} are about, for the headline of a refusal. */
    public static String databases(PipelineConfig config) {
        return config.hasSeparateTarget() ? "source database " + config.source().database() + " or target database "
                + config.bronzeDatabase().database() : "database " + config.source().database();
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
