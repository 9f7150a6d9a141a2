package io.bronzecdc.spark.exec;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.Secret;
import io.bronzecdc.model.postgres.SourceConnections;
import java.io.Serializable;

/**
 * How a task on an executor reaches a database: the JDBC URL, the role and its password, shipped inside the task
 * (Spark sends tasks to executors over its RPC channel; nothing of it reaches a log, the UI or a process argument).
 * {@link #toString()} masks the password. Executors do not read the pipeline's config file or environment: the
 * driver resolved both.
 *
 * @param jdbcUrl the database's JDBC URL (no credentials in it)
 * @param user the role
 * @param password the role's password
 * @param applicationName prefix of {@code pg_stat_activity.application_name}
 */
public record Endpoint(String jdbcUrl, String user, String password, String applicationName) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The pipeline's source database. */
    public static Endpoint source(PipelineConfig config) {
        return of(config.source(), config.source().slotName());
    }

    /** The database bronze is written to: the {@code target:} database, or the source without one. */
    public static Endpoint bronze(PipelineConfig config) {
        return of(config.bronzeDatabase(), config.source().slotName());
    }

    private static Endpoint of(PipelineConfig.Database database, String slot) {
        return new Endpoint(database.jdbcUrl(), database.user(), database.password().reveal(),
                "bronze-cdc spark task " + slot);
    }

    /** Connections as the driver opens them. */
    public SourceConnections connections() {
        return new SourceConnections(jdbcUrl, user, Secret.of(password), applicationName);
    }

    @Override
    public String toString() {
        return "Endpoint[jdbcUrl=" + jdbcUrl + ", user=" + user + ", password=" + Secret.MASK + ", applicationName="
                + applicationName + "]";
    }
}
