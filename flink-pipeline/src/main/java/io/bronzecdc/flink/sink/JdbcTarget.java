package io.bronzecdc.flink.sink;

import io.bronzecdc.model.config.PipelineConfig;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Where the job's operators connect: the pipeline database (source and bronze live in the same database). It
 * travels inside the job graph, so the password is resolved once on the client that submits the job; it never
 * appears in {@link #toString()} or logs.
 *
 * @param jdbcUrl the JDBC URL, without credentials
 * @param user the database user
 * @param password the password
 */
public record JdbcTarget(String jdbcUrl, String user, String password) implements Serializable {

    /** The pipeline's source database. */
    public static JdbcTarget of(PipelineConfig config) {
        var source = config.source();
        return new JdbcTarget(source.jdbcUrl(), source.user(), source.password().reveal());
    }

    /** A new connection; the caller closes it. */
    public Connection connect() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("ApplicationName", "bronze-cdc");
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    @Override
    public String toString() {
        return "JdbcTarget[" + jdbcUrl + ", user " + user + ", password ******]";
    }
}
