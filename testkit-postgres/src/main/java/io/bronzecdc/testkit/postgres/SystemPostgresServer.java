package io.bronzecdc.testkit.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server from the operating system's packages (Debian's {@code postgresql-15}, binaries in
 * {@code /usr/lib/postgresql/<major>/bin}), as a user's own server would be: a fresh cluster made by {@code initdb}
 * in a temporary folder, password authentication (scram-sha-256) on loopback TCP only, started and stopped with
 * {@code pg_ctl}. Unlike {@link EmbeddedPostgresServer} nothing is trusted: every login needs its password.
 *
 * <p>PostgreSQL refuses to run as root; as root the server runs as the {@code postgres} system user that the package
 * creates ({@code runuser -u postgres}). {@code BRONZE_PG_BIN} names another binaries folder.
 */
public final class SystemPostgresServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SystemPostgresServer.class);
    /** The superuser initdb creates. */
    public static final String SUPERUSER = "postgres";
    private static final Path PACKAGES = Path.of("/usr/lib/postgresql");
    private static final String SERVICE_USER = "postgres";

    private final Path bin;
    private final Path dataDirectory;
    private final int port;
    private final String superuserPassword;
    private final boolean asServiceUser;

    private SystemPostgresServer(Path bin, Path dataDirectory, int port, String superuserPassword,
            boolean asServiceUser) {
        this.bin = bin;
        this.dataDirectory = dataDirectory;
        this.port = port;
        this.superuserPassword = superuserPassword;
        this.asServiceUser = asServiceUser;
    }

    /** The binaries folder: {@code BRONZE_PG_BIN}, else the highest major version under /usr/lib/postgresql. */
    public static Optional<Path> binaries() {
        String configured = System.getenv("BRONZE_PG_BIN");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(p -> Files.isExecutable(p.resolve("postgres")));
        }
        if (!Files.isDirectory(PACKAGES)) {
            return Optional.empty();
        }
        try (Stream<Path> majors = Files.list(PACKAGES)) {
            return majors.map(p -> p.resolve("bin")).filter(p -> Files.isExecutable(p.resolve("postgres")))
                    .max(Comparator.comparing(p -> majorOf(p)));
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + PACKAGES, e);
        }
    }

    private static int majorOf(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Creates and starts a fresh cluster with logical replication on; the superuser's password is
     * {@code superuserPassword}.
     *
     * @throws IllegalStateException when no PostgreSQL binaries are installed, naming the package to install
     */
    public static SystemPostgresServer start(String superuserPassword) {
        Path bin = binaries().orElseThrow(() -> new IllegalStateException("no PostgreSQL server binaries found in "
                + PACKAGES + "/<major>/bin (or BRONZE_PG_BIN): install them, for example apt-get install -y"
                + " postgresql-15"));
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path dir = Files.createTempDirectory("bronze-system-pg-");
            Path data = dir.resolve("data");
            Path passwordFile = dir.resolve("superuser-password");
            Files.writeString(passwordFile, superuserPassword, StandardCharsets.UTF_8);
            if (root) {
                run(List.of("chown", "-R", SERVICE_USER, dir.toString()), dir);
            }
            int port = freePort();
            SystemPostgresServer server = new SystemPostgresServer(bin, data, port, superuserPassword, root);
            server.runAsServer(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", SUPERUSER,
                    "--auth=scram-sha-256", "--pwfile=" + passwordFile, "-E", "UTF8", "--locale=C.UTF-8"), dir);
            Files.delete(passwordFile);
            String options = String.join(" ", "-c listen_addresses=127.0.0.1", "-c port=" + port,
                    "-c unix_socket_directories=" + dir, "-c wal_level=logical", "-c max_replication_slots=20",
                    "-c max_wal_senders=20", "-c max_prepared_transactions=64", "-c timezone=UTC",
                    "-c max_connections=200");
            server.runAsServer(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                    dir.resolve("server.log").toString(), "-o", options, "-w", "-t", "60", "start"), dir);
            LOG.info("PostgreSQL from {} started on 127.0.0.1:{}", bin, port);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start PostgreSQL from " + bin, e);
        }
    }

    /** The folder of the server's binaries, for example {@code /usr/lib/postgresql/15/bin}. */
    public Path bin() {
        return bin;
    }

    public int port() {
        return port;
    }

    /** A new superuser connection to {@code database}; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, SUPERUSER,
                superuserPassword);
    }

    /** Creates {@code database} (an identifier the caller chose) when missing. */
    public void createDatabase(String database) throws SQLException {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE \"" + database.replace("\"", "\"\"") + "\"");
        }
    }

    /** Stops the server ({@code pg_ctl stop -m fast}) and removes its files. */
    @Override
    public void close() {
        Path dir = dataDirectory.getParent();
        try {
            runAsServer(List.of(bin.resolve("pg_ctl").toString(), "-D", dataDirectory.toString(), "-m", "fast", "-w",
                    "stop"), dir);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not stop PostgreSQL on port {}: {}", port, e.getMessage());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("Could not remove {}: {}", dir, e.getMessage());
        }
    }

    private void runAsServer(List<String> command, Path dir) throws IOException {
        List<String> full = new ArrayList<>();
        if (asServiceUser) {
            full.addAll(List.of("runuser", "-u", SERVICE_USER, "--"));
        }
        full.addAll(command);
        run(full, dir);
    }

    private static void run(List<String> command, Path dir) throws IOException {
        Path log = Files.createTempFile("bronze-system-pg-", ".out");
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish within 120 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + process.exitValue() + ": "
                        + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
