package io.bronzecdc.flink.sink;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.Secret;
import io.bronzecdc.model.postgres.SourceConnections;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where the job's operators write and read bronze: the {@code target:} database, or the source database when the config
 * has none. It travels inside the job graph, so the password is resolved once on the client that submits the job; it
 * never appears in {@link #toString()} or logs.
 *
 * @param jdbcUrl the JDBC URL, without credentials
 * @param user the database user
 * @param password the password
 */
public record JdbcTarget(String jdbcUrl, String user, String password) implements Serializable {

    /** The database bronze is written to: {@code target:}, or the source when the config has no target. */
    public static JdbcTarget of(PipelineConfig config) {
        var bronze = config.bronzeDatabase();
        return new JdbcTarget(bronze.jdbcUrl(), bronze.user(), bronze.password().reveal());
    }

    /**
     * A new connection (session time zone UTC) through the shared connection factory, which uses the driver
     * directly: on a session cluster each job has its own class loader, where {@code DriverManager} fails.
     * The caller closes it.
     */
    public Connection connect() throws SQLException {
        return new SourceConnections(jdbcUrl, user, Secret.of(password), "bronze-cdc flink").open("job");
    }

    @Override
    public String toString() {
        return "JdbcTarget[" + jdbcUrl + ", user " + user + ", password ******]";
    }
}
