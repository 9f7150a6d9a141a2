package io.bronzecdc.bench.harness;

import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.regex.Pattern;
import org.postgresql.PGProperty;

/**
 * A PostgreSQL server the harness runs on: one it starts itself (embedded, the default) or one a user names
 * ({@code --server host:port}). The role must be able to create databases and replication slots (a superuser, or a
 * role with CREATEDB and REPLICATION). The password is read where the user keeps it (an environment variable or a
 * file) at each connection, and the pipelines' configs name that place, never the password.
 */
public abstract class BenchServer implements AutoCloseable {
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** The host the pipelines connect to. */
    public abstract String host();

    public abstract int port();

    public abstract String user();

    /** The lines under {@code password:} in a pipeline config: {@code file: ...} or {@code env: ...}. */
    public abstract String passwordSource();

    /** What the report says about the server. */
    public abstract String describe();

    /** The password, read now; empty for a server that trusts the harness. */
    protected abstract String password();

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    /** A new connection to {@code database}; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), properties());
    }

    /** A new replication connection (logical, simple query mode) to {@code database}. */
    public Connection connectReplication(String database) throws SQLException {
        Properties properties = properties();
        PGProperty.REPLICATION.set(properties, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(properties, "10");
        PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
        return DriverManager.getConnection(jdbcUrl(database), properties);
    }

    private Properties properties() {
        Properties properties = new Properties();
        PGProperty.USER.set(properties, user());
        String password = password();
        if (!password.isEmpty()) {
            PGProperty.PASSWORD.set(properties, password);
        }
        return properties;
    }

    /** Creates {@code database} (a lower-case identifier), replacing one of that name (the harness's own). */
    public void recreateDatabase(String database, String template) throws SQLException {
        if (!DATABASE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("not a lower-case database name: " + database);
        }
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + database + (template == null ? "" : " TEMPLATE " + template));
        }
    }

    /** Drops {@code database} and the replication slots on it. */
    public void dropDatabase(String database) throws SQLException {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '"
                    + database + "' AND NOT active");
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    /**
     * Checks that the server can run the harness: logical WAL, and a role that may create databases and
     * replication slots.
     *
     * @throws IllegalStateException naming what is missing and the fix
     */
    public void checkReady() throws SQLException {
        try (Connection c = connect("postgres"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_setting('wal_level'), rolsuper OR rolcreatedb,"
                        + " rolsuper OR rolreplication FROM pg_roles WHERE rolname = current_user")) {
            rs.next();
            StringBuilder problems = new StringBuilder();
            if (!"logical".equals(rs.getString(1))) {
                problems.append("\n- wal_level is ").append(rs.getString(1)).append(": set wal_level = logical in"
                        + " postgresql.conf and restart the server");
            }
            if (!rs.getBoolean(2)) {
                problems.append("\n- role ").append(user()).append(" may not create databases: ALTER ROLE ")
                        .append(user()).append(" CREATEDB");
            }
            if (!rs.getBoolean(3)) {
                problems.append("\n- role ").append(user()).append(" may not create replication slots: ALTER ROLE ")
                        .append(user()).append(" REPLICATION");
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("the server " + describe() + " cannot run the benchmark:" + problems);
            }
        }
    }

    @Override
    public abstract void close();

    /** A server the harness starts: embedded PostgreSQL, trusting loopback connections. */
    public static BenchServer embedded(Path passwordFile) {
        // wal_sender_timeout off: a paused pipeline (backlog scenario) must find its replication connection alive.
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(EmbeddedPostgresServer.Options.defaults()
                .withSetting("wal_sender_timeout", "0").withSetting("max_wal_size", "8GB")
                .withSetting("checkpoint_timeout", "15min"));
        try {
            // The server trusts loopback connections: the file is read but its content opens nothing.
            Files.writeString(passwordFile, "trusted-loopback\n");
        } catch (IOException e) {
            server.close();
            throw new UncheckedIOException("could not write " + passwordFile, e);
        }
        return new BenchServer() {
            @Override
            public String host() {
                return "127.0.0.1";
            }

            @Override
            public int port() {
                return server.port();
            }

            @Override
            public String user() {
                return EmbeddedPostgresServer.SUPERUSER;
            }

            @Override
            public String passwordSource() {
                return "file: " + passwordFile.toAbsolutePath();
            }

            @Override
            public String describe() {
                return "embedded PostgreSQL on 127.0.0.1:" + server.port() + " (started by the harness)";
            }

            @Override
            protected String password() {
                return "";
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }

    /**
     * A server the user runs.
     *
     * @param passwordEnv the environment variable holding the password, or {@code null}
     * @param passwordFile the file holding it, or {@code null}; one of the two is required
     */
    public static BenchServer given(String host, int port, String user, String passwordEnv, Path passwordFile) {
        if ((passwordEnv == null) == (passwordFile == null)) {
            throw new IllegalArgumentException("name exactly one of --password-env and --password-file");
        }
        return new BenchServer() {
            @Override
            public String host() {
                return host;
            }

            @Override
            public int port() {
                return port;
            }

            @Override
            public String user() {
                return user;
            }

            @Override
            public String passwordSource() {
                return passwordEnv != null ? "env: " + passwordEnv : "file: " + passwordFile.toAbsolutePath();
            }

            @Override
            public String describe() {
                return user + "@" + host + ":" + port;
            }

            @Override
            protected String password() {
                if (passwordEnv != null) {
                    String value = System.getenv(passwordEnv);
                    if (value == null || value.isEmpty()) {
                        throw new IllegalStateException("environment variable " + passwordEnv + " (--password-env) is"
                                + " not set: export it with the password of role " + user);
                    }
                    return value;
                }
                try {
                    return Files.readString(passwordFile).strip();
                } catch (IOException e) {
                    throw new UncheckedIOException("could not read the password file " + passwordFile
                            + " (--password-file): " + e.getMessage(), e);
                }
            }

            @Override
            public void close() {
                // the user's server keeps running; the harness dropped its databases
            }
        };
    }
}
