package io.bronzecdc.model.testing;

import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 fixture: one real embedded PostgreSQL server per test JVM (started on first use, stopped when the
 * JVM's test run ends) and one fresh database per test class, dropped afterwards together with its
 * replication slots.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresExtension POSTGRES = new PostgresExtension();
 * }</pre>
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final List<String> extraDatabases = new CopyOnWriteArrayList<>();
    private EmbeddedPostgresServer server;
    private String database;

    @Override
    public void beforeAll(ExtensionContext context) throws SQLException {
        server = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("server", key -> new SharedServer(EmbeddedPostgresServer.start()),
                        SharedServer.class)
                .server();
        String className = context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT);
        database = "t_" + className.substring(0, Math.min(className.length(), 40)) + "_" + DATABASES.incrementAndGet();
        server.createDatabase(database);
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        if (server == null || database == null) {
            return;
        }
        List<String> all = new ArrayList<>(extraDatabases);
        all.add(database);
        try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
            for (String name : all) {
                // A terminated walsender releases its slot a moment later, and a job still shutting down may
                // reconnect once: repeat until the database has no slot left.
                Awaitility.await("replication slots of database " + name + " dropped").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200)).until(() -> dropSlots(s, name));
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }

    /** Terminates the readers of the database's slots and drops the inactive ones; true when none is left. */
    private static boolean dropSlots(Statement s, String database) throws SQLException {
        s.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                + " WHERE database = '" + database + "' AND active_pid IS NOT NULL");
        s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                + " WHERE database = '" + database + "' AND NOT active");
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE database = '"
                + database + "'")) {
            return rs.next() && rs.getLong(1) == 0;
        }
    }

    /**
     * Creates one more database for this test class (dropped with the class's own), for a test that must not
     * share state with the others.
     *
     * @return its name: this class's database name plus {@code _<label>}
     */
    public String newDatabase(String label) throws SQLException {
        String name = database() + "_" + label;
        server().createDatabase(name);
        extraDatabases.add(name);
        return name;
    }

    /** A new superuser connection to {@code databaseName} on the shared server; the caller closes it. */
    public Connection connect(String databaseName) throws SQLException {
        return server().connect(databaseName);
    }

    /** The shared server. */
    public EmbeddedPostgresServer server() {
        return requireStarted(server);
    }

    /** The name of this test class's database. */
    public String database() {
        return requireStarted(database);
    }

    /** JDBC URL of this test class's database. */
    public String jdbcUrl() {
        return server().jdbcUrl(database());
    }

    /** A new superuser connection to this test class's database; the caller closes it. */
    public Connection connect() throws SQLException {
        return server().connect(database());
    }

    private static <T> T requireStarted(T value) {
        if (value == null) {
            throw new IllegalStateException("PostgresExtension is not started: register it with @RegisterExtension"
                    + " on a static field so that it runs before the tests");
        }
        return value;
    }

    /** Closed by JUnit with the root context, when the JVM's test run ends. */
    private record SharedServer(EmbeddedPostgresServer server) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
        }
    }
}
