package io.bronzecdc.model.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The connection mistakes a new user makes first, each as a pipeline config both engines' ITs start with: a wrong
 * password, an unknown database, a port nothing listens on, an unknown host, and an sslmode that demands SSL from a
 * server without it. The password case needs a server that checks passwords: this fixture starts its own embedded
 * server with SCRAM authentication for every role but the superuser (whose trust login sets things up), and a role
 * {@value #USER} with REPLICATION.
 */
public final class ConnectionFaults implements AutoCloseable {
    /** The role whose password the server checks. */
    public static final String USER = "it_pw_reader";
    /** The database of the faults that reach the server; the wrong-database fault names another one. */
    public static final String DATABASE = "faults";
    /** The role's real password; a config that carries it connects. */
    public static final String PASSWORD = "right-pw-4f1c9e";
    /** What the wrong-password fault sends; no message may show it. */
    public static final String WRONG_PASSWORD = "wrong-pw-8d2b7a";
    /** A name no resolver knows ({@code .invalid} is reserved by RFC 2606). */
    public static final String UNKNOWN_HOST = "bronze-cdc-no-such-host.invalid";

    private final EmbeddedPostgresServer server;
    private final Path directory;
    private final List<Fault> faults;

    private ConnectionFaults(EmbeddedPostgresServer server, Path directory) {
        this.server = server;
        this.directory = directory;
        this.faults = faults(server.port());
    }

    /**
     * Starts the password-checking server; {@code directory} holds its pg_hba.conf and the configs' password files.
     */
    public static ConnectionFaults start(Path directory) throws IOException, SQLException {
        Path hba = directory.resolve("pg_hba.conf");
        Files.writeString(hba, String.join("\n",
                "local all all trust",
                "host all " + EmbeddedPostgresServer.SUPERUSER + " 127.0.0.1/32 trust",
                "host replication " + EmbeddedPostgresServer.SUPERUSER + " 127.0.0.1/32 trust",
                "host all all 127.0.0.1/32 scram-sha-256",
                "host replication all 127.0.0.1/32 scram-sha-256",
                ""));
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(
                EmbeddedPostgresServer.Options.defaults().withSetting("hba_file", hba.toString()));
        server.createDatabase(DATABASE);
        try (Connection c = server.connect(DATABASE); Statement s = c.createStatement()) {
            s.execute("SET password_encryption = 'scram-sha-256'");
            s.execute("CREATE ROLE " + USER + " LOGIN REPLICATION PASSWORD '" + PASSWORD + "'");
        }
        return new ConnectionFaults(server, directory);
    }

    /** The password-checking server. */
    public EmbeddedPostgresServer server() {
        return server;
    }

    /** Each fault, named, with the parts of the one message the engine must print; the same list every call. */
    public List<Fault> faults() {
        return faults;
    }

    private static List<Fault> faults(int port) {
        return List.of(
                new Fault("wrong password", "127.0.0.1", port, DATABASE, WRONG_PASSWORD, "disable", true,
                        List.of("the server rejected the password of role " + USER, "Check source.password")),
                new Fault("unknown database", "127.0.0.1", port, "no_such_db", PASSWORD, "disable", true,
                        List.of("database 'no_such_db' does not exist on 127.0.0.1:" + port, "Fix source.database")),
                new Fault("refused port", "127.0.0.1", closedPort(), DATABASE, PASSWORD, "disable", false,
                        List.of("nothing accepts connections at 127.0.0.1:", "(connection refused)",
                                "Check source.host and source.port")),
                new Fault("unknown host", UNKNOWN_HOST, port, DATABASE, PASSWORD, "disable", false,
                        List.of("host '" + UNKNOWN_HOST + "' is unknown", "Fix source.host")),
                new Fault("sslmode require without SSL", "127.0.0.1", port, DATABASE, PASSWORD, "require", true,
                        List.of("source.sslmode is 'require' but the server at 127.0.0.1:" + port
                                + " does not support SSL", "set source.sslmode")),
                new Fault("sslmode verify-full without SSL", "127.0.0.1", port, DATABASE, PASSWORD, "verify-full",
                        true, List.of("source.sslmode is 'verify-full' but the server at 127.0.0.1:" + port
                                + " does not support SSL", "Enable SSL on the server")));
    }

    /**
     * One wrong setting.
     *
     * @param reachesServer whether the connection reaches the server (so "nothing was written" is worth checking)
     * @param expected the parts the engine's message must contain
     */
    public record Fault(String name, String host, int port, String database, String password, String sslmode,
            boolean reachesServer, List<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * The pipeline config of {@code fault}: the role {@value #USER}, its password in a file, slot {@code slot},
     * publication {@code <slot>_pub}, bronze schema {@code <slot>_bronze}.
     */
    public Path config(Fault fault, String slot) {
        try {
            Path password = directory.resolve(slot + ".password");
            Files.writeString(password, fault.password() + "\n");
            Path file = directory.resolve(slot + ".yaml");
            Files.writeString(file, String.join("\n",
                    "source:",
                    "  host: " + fault.host(),
                    "  port: " + fault.port(),
                    "  database: " + fault.database(),
                    "  user: " + USER,
                    "  password:",
                    "    file: " + password,
                    "  sslmode: " + fault.sslmode(),
                    "  slot:",
                    "    name: " + slot,
                    "  publication:",
                    "    name: " + slot + "_pub",
                    "bronze:",
                    "  schema: " + slot + "_bronze",
                    "tables: [customer]",
                    ""));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Nothing of pipeline {@code slot} exists on the server: no bronze schema, slot or publication. */
    public void assertNothingWritten(String slot) throws SQLException {
        try (Connection c = server.connect(DATABASE); Statement s = c.createStatement()) {
            assertThat(count(s, "SELECT count(*) FROM pg_namespace WHERE nspname = '" + slot + "_bronze'")).isZero();
            assertThat(count(s, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'")).isZero();
            assertThat(count(s, "SELECT count(*) FROM pg_publication WHERE pubname = '" + slot + "_pub'")).isZero();
        }
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A loopback port that was free a moment ago: nothing listens on it. */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
