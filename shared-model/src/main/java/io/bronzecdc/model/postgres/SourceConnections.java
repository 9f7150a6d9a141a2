package io.bronzecdc.model.postgres;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.PipelineConfig.Database;
import io.bronzecdc.model.config.PipelineConfig.SourceConfig;
import io.bronzecdc.model.config.Secret;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.postgresql.Driver;
import org.postgresql.PGProperty;

/**
 * The one way both engines open connections to the pipeline's databases: the source (captured tables, slot,
 * publication) with {@link #of}, and the database bronze is written to with {@link #target} (the {@code target:}
 * database, or the source again when the config has none). Every connection runs with {@code TimeZone = UTC}, the zone
 * canonical payloads are written in.
 */
public final class SourceConnections {
    /**
     * The driver itself rather than {@code DriverManager}: under {@code spark-submit} and on a Flink session
     * cluster the job's jar sits in a child class loader, and {@code DriverManager} only hands out drivers that
     * its caller's loader registered ("No suitable driver found" on every job after the first).
     */
    private static final Driver DRIVER = new Driver();

    private final String jdbcUrl;
    private final String user;
    private final Secret password;
    private final String applicationName;
    /** The config the connections come from, to explain a failure in its terms; null when built from a URL. */
    private final Database source;

    /**
     * Connections whose failures surface as pgjdbc reports them (on task managers, where the job already runs).
     *
     * @param applicationName prefix of {@code pg_stat_activity.application_name}, for example
     *     {@code bronze-cdc spark <slot>}
     */
    public SourceConnections(String jdbcUrl, String user, Secret password, String applicationName) {
        this(jdbcUrl, user, password, applicationName, null);
    }

    private SourceConnections(String jdbcUrl, String user, Secret password, String applicationName,
            Database source) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.applicationName = applicationName;
        this.source = source;
    }

    /**
     * Connections to the pipeline's source database, named after the engine and slot. A connection that cannot be
     * opened throws {@link SourceConnectionException}, explained in the config's terms ({@link ConnectionFailure}).
     */
    public static SourceConnections of(SourceConfig source, String engine) {
        return new SourceConnections(source.jdbcUrl(), source.user(), source.password(),
                "bronze-cdc " + engine + " " + source.slotName(), source);
    }

    /**
     * Connections to the database bronze is written to: the {@code target:} database, whose failures are explained
     * in terms of the {@code target.*} keys, or the source database when the config has no target.
     */
    public static SourceConnections target(PipelineConfig config, String engine) {
        Database bronze = config.bronzeDatabase();
        return new SourceConnections(bronze.jdbcUrl(), bronze.user(), bronze.password(),
                "bronze-cdc " + engine + " " + config.source().slotName(), bronze);
    }

    /**
     * A normal connection in auto-commit mode; the caller closes it.
     *
     * @throws SourceConnectionException when the connection cannot be opened (connections made by {@link #of})
     *
     * @param purpose shown in {@code pg_stat_activity.application_name}, for example {@code lock}
     */
    public Connection open(String purpose) throws SQLException {
        Properties properties = credentials(purpose);
        // One multi-row INSERT per 128 batched rows instead of one round trip per row: bronze appends in chunks.
        PGProperty.REWRITE_BATCHED_INSERTS.set(properties, true);
        Connection connection = connect(properties);
        try (Statement s = connection.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    /**
     * A replication-protocol connection ({@code replication=database}, simple query mode) on which replication
     * commands such as {@code CREATE_REPLICATION_SLOT} run; the caller closes it.
     */
    public Connection openReplication(String purpose) throws SQLException {
        Properties properties = credentials(purpose);
        PGProperty.REPLICATION.set(properties, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(properties, "10");
        PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
        return connect(properties);
    }

    private Connection connect(Properties properties) throws SQLException {
        Connection connection;
        try {
            connection = DRIVER.connect(jdbcUrl, properties);
        } catch (SQLException e) {
            if (source == null) {
                throw e;
            }
            throw new SourceConnectionException(ConnectionFailure.explain(e, source), e);
        }
        if (connection == null) {
            throw new SQLException("pgjdbc does not accept the URL " + jdbcUrl);
        }
        return connection;
    }

    /** The database without its password, for messages. */
    public String describe() {
        return user + " at " + jdbcUrl;
    }

    private Properties credentials(String purpose) {
        Properties properties = new Properties();
        PGProperty.USER.set(properties, user);
        PGProperty.PASSWORD.set(properties, password.reveal());
        PGProperty.APPLICATION_NAME.set(properties, applicationName + " " + purpose);
        return properties;
    }
}
