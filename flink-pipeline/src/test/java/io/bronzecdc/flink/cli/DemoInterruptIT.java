package io.bronzecdc.flink.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bronzecdc.model.testing.PagilaFiles;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ctrl-C on {@code bin/bronze-cdc demo}: a demo process started as the script starts it (its own JVM, the
 * command's classpath and logging), then SIGINT while it takes the snapshot or runs the live workload. It must
 * exit 130 within a bounded wait, say so on one line, log no ERROR and no exception, and leave no server behind.
 */
class DemoInterruptIT {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    private static final long EXIT_TIMEOUT_SECONDS = 20;
    private static final Pattern SOURCE_PORT = Pattern.compile("source:\\s+jdbc:postgresql://127\\.0\\.0\\.1:(\\d+)/");

    @TempDir
    Path temp;

    private Process demo;

    @AfterEach
    void killLeftover() {
        if (demo != null && demo.isAlive()) {
            demo.destroyForcibly();
        }
    }

    /**
     * @param phaseLine the start of the progress line after which Ctrl-C comes: {@code snapshot} while the job
     *     takes the initial snapshot, {@code live} while the workload runs
     */
    @ParameterizedTest(name = "Ctrl-C during {0}")
    @ValueSource(strings = {"snapshot", "live"})
    void shouldStopInOrderAndExit130OnCtrlC(String phaseLine) throws Exception {
        Path log = temp.resolve("demo.log");
        demo = start(log, "demo", "--pagila-dir", PagilaFiles.directory().toString(), "--duration", "10m");
        await("a '" + phaseLine + "' progress line of the demo (output: " + log + ")").atMost(START_TIMEOUT)
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    assertThat(demo.isAlive()).as("demo still running; output:%n%s", read(log)).isTrue();
                    return read(log).lines().anyMatch(line -> line.startsWith("  " + phaseLine + " "));
                });
        int port = sourcePort(read(log));

        new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).inheritIO().start().waitFor();

        assertThat(demo.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .as("the demo exits within %d s of Ctrl-C; output:%n%s", EXIT_TIMEOUT_SECONDS, read(log)).isTrue();
        String output = read(log);
        assertThat(demo.exitValue()).as("exit code; output:%n%s", output).isEqualTo(130);
        assertThat(output).contains("bronze-cdc demo: stopped by Ctrl-C: the workload stopped, the job was cancelled"
                + " and the embedded server shut down (exit code 130).");
        assertThat(output.lines().filter(line -> line.contains("ERROR") || line.contains("Exception")).toList())
                .as("lines with ERROR or Exception in the output:%n%s", output).isEmpty();
        assertThat(serverAnswers(port)).as("the embedded server on port %d is gone", port).isFalse();
    }

    /**
     * {@code --keep}: after the summary the embedded server stays up, answers at the printed address with the
     * bronze log in place, and goes away on Ctrl-C; the exit code stays the checks' (0).
     */
    @Test
    void keepLeavesTheServerRunningUntilCtrlC() throws Exception {
        Path log = temp.resolve("demo-keep.log");
        demo = start(log, "demo", "--generate", "--seed", "7", "--duration", "2s", "--keep");
        await("the demo's --keep message (output: " + log + ")").atMost(START_TIMEOUT)
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    assertThat(demo.isAlive()).as("demo still running; output:%n%s", read(log)).isTrue();
                    return read(log).contains("Press Ctrl-C to stop the server.");
                });
        String output = read(log);
        assertThat(output).contains("checks: PASSED");
        Matcher psql = Pattern.compile("psql \"host=127\\.0\\.0\\.1 port=(\\d+) dbname=pagila user=postgres\"")
                .matcher(output);
        assertThat(psql.find()).as("psql line in:%n%s", output).isTrue();
        int port = Integer.parseInt(psql.group(1));
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/pagila", "postgres", "");
                var rs = c.createStatement().executeQuery("SELECT count(*) FROM cdc_bronze.br_customer_cdc")) {
            rs.next();
            assertThat(rs.getLong(1)).as("bronze rows of customer").isGreaterThanOrEqualTo(599);
        }

        new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).inheritIO().start().waitFor();
        assertThat(demo.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("exit after Ctrl-C; output:%n%s",
                read(log)).isTrue();
        assertThat(demo.exitValue()).as("exit code; output:%n%s", read(log)).isZero();
        assertThat(serverAnswers(port)).as("the embedded server on port %d is gone", port).isFalse();
    }

    /** The demo as {@code bin/bronze-cdc} runs it: main classes, runtime and provided classpath, main logging. */
    private static Process start(Path log, String... args) throws IOException {
        Path target = Path.of("target");
        String classpath = String.join(File.pathSeparator, target.resolve("classes").toAbsolutePath().toString(),
                Files.readString(target.resolve("runtime-classpath.txt")).strip(),
                Files.readString(target.resolve("provided-classpath.txt")).strip());
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-cp", classpath,
                BronzeCdcCommand.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static int sourcePort(String output) {
        Matcher matcher = SOURCE_PORT.matcher(output);
        assertThat(matcher.find()).as("source line in:%n%s", output).isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    private static boolean serverAnswers(int port) {
        try (var c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "")) {
            return true;
        } catch (SQLException refused) {
            return false;
        }
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }
}
