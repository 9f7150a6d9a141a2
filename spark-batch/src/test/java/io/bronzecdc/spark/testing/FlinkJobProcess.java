package io.bronzecdc.spark.testing;

import static org.awaitility.Awaitility.await;

import io.bronzecdc.model.testing.PostgresExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The Flink pipeline's job ({@code io.bronzecdc.flink.BronzeCdcJob --config <yaml> --init}) in a local
 * MiniCluster of its own JVM, started from flink-pipeline's packaged jar and classpath files the way
 * {@code bin/bronze-cdc} starts it. spark-batch must not depend on flink-pipeline (and the two engines' classpaths
 * conflict), so a test that wants a Flink-written bronze log runs the job as a separate process. It streams until
 * {@link #close()} destroys it.
 */
public final class FlinkJobProcess implements AutoCloseable {
    private static final String MAIN = "io.bronzecdc.flink.BronzeCdcJob";
    private static final Duration CAPTURE_TIMEOUT = Duration.ofMinutes(3);

    private final Process process;
    private final Path log;

    private FlinkJobProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Whether {@code target} (flink-pipeline/target) holds the job jar and both classpath files. */
    public static boolean isPackaged(Path target) {
        return jar(target).isPresent() && Files.isReadable(target.resolve("runtime-classpath.txt"))
                && Files.isReadable(target.resolve("provided-classpath.txt"));
    }

    /**
     * Starts the job on {@code config}; its output goes to {@code log}.
     *
     * @param password the value of the password variable the config names ({@code BRONZE_TEST_PASSWORD})
     */
    public static FlinkJobProcess start(Path target, Path config, Path log, String password) throws IOException {
        String classpath = jar(target).orElseThrow() + java.io.File.pathSeparator
                + Files.readString(target.resolve("runtime-classpath.txt")).strip() + java.io.File.pathSeparator
                + Files.readString(target.resolve("provided-classpath.txt")).strip();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx768m", "--add-opens=java.base/java.util=ALL-UNNAMED",
                "--add-opens=java.base/java.lang=ALL-UNNAMED", "-cp", classpath, MAIN, "--config", config.toString(),
                "--init"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("BRONZE_TEST_PASSWORD", password);
        return new FlinkJobProcess(builder.start(), log);
    }

    /**
     * Waits (at most 3 minutes) until the bronze tables of {@code schema} hold exactly {@code rows} rows in all,
     * failing at once when the job exits or writes more.
     */
    public void awaitRows(PostgresExtension postgres, String schema, long rows) {
        try {
            awaitExactly(postgres, schema, rows);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "; the job's output ends with:\n" + tail(), e);
        }
    }

    private void awaitExactly(PostgresExtension postgres, String schema, long rows) {
        await("the Flink job to write exactly " + rows + " rows into " + schema + " (log: " + log + ")")
                .atMost(CAPTURE_TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("the Flink job exited with " + process.exitValue() + ":\n"
                                + tail());
                    }
                    long written = rows(postgres, schema);
                    if (written > rows) {
                        throw new AssertionError("the Flink job wrote " + written + " rows into " + schema
                                + ", more than the " + rows + " expected");
                    }
                    return written == rows;
                });
    }

    /**
     * Destroys the job (as a cancel would end it) and waits for its JVM to exit. The slot stays, inactive; the
     * test database is dropped with it.
     */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The last 60 lines of the job's output. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Flink job's log " + log, e);
        }
    }

    private static long rows(PostgresExtension postgres, String schema) throws SQLException {
        try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT to_regclass('" + schema + ".br_rental_cdc') IS NOT NULL")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return 0;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM " + schema + ".br_customer_cdc)"
                    + " + (SELECT count(*) FROM " + schema + ".br_payment_cdc)"
                    + " + (SELECT count(*) FROM " + schema + ".br_rental_cdc)")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Optional<Path> jar(Path target) {
        if (!Files.isDirectory(target)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(f -> {
                String name = f.getFileName().toString();
                return name.startsWith("flink-pipeline-") && name.endsWith(".jar") && !name.endsWith("-tests.jar")
                        && !name.endsWith("-job.jar") && !name.startsWith("original-");
            }).findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + target, e);
        }
    }
}
