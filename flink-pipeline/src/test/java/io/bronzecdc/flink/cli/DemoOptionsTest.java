package io.bronzecdc.flink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Usage errors of {@code bronze-cdc demo}: exit code 2, one line per problem naming the option, the value found
 * and the fix, no stack trace, and nothing started (no server, no output on stdout).
 */
class DemoOptionsTest {
    @TempDir
    Path temp;

    @Test
    void shouldRejectAZeroRate() {
        assertThat(usageError("--rate", "0")).isEqualTo("bronze-cdc demo: --rate must be a positive number of"
                + " transactions per second but was 0; pass a whole number of at least 1, such as --rate 200");
    }

    @Test
    void shouldRejectANegativeRate() {
        assertThat(usageError("--rate", "-5")).contains("--rate must be a positive number", "but was -5",
                "such as --rate 200");
    }

    @Test
    void shouldRejectARateThatIsNotANumber() {
        assertThat(usageError("--rate", "fast")).contains("--rate", "'fast'");
    }

    @Test
    void shouldRejectAZeroDuration() {
        assertThat(usageError("--duration", "0s")).contains("--duration", "'0s', which is zero",
                "a positive duration", "such as 500ms, 30s, 5m or 1h");
    }

    @Test
    void shouldRejectANegativeDuration() {
        assertThat(usageError("--duration", "-5s")).contains("--duration", "'-5s'", "a positive duration");
    }

    @Test
    void shouldRejectADurationWithoutUnit() {
        assertThat(usageError("--duration", "10")).contains("--duration", "'10'", "a unit ms, s, m or h");
    }

    @Test
    void shouldRejectABronzeSchemaThatIsNotALowerCaseIdentifier() {
        assertThat(usageError("--bronze-schema", "Bronze-Logs")).contains("--bronze-schema",
                "lower-case SQL identifier", "'Bronze-Logs'", "such as --bronze-schema cdc_bronze");
    }

    @Test
    void shouldRejectASystemSchemaName() {
        assertThat(usageError("--bronze-schema", "pg_bronze")).contains("--bronze-schema 'pg_bronze'",
                "reserves for its system schemas", "such as --bronze-schema cdc_bronze");
    }

    @Test
    void shouldRejectAPagilaDirThatDoesNotExist() {
        Path missing = temp.resolve("no-such-dir");
        assertThat(usageError("--pagila-dir", missing.toString())).contains("--pagila-dir " + missing,
                "does not exist", "customer.copy, payment.copy, rental.copy", "or --generate");
    }

    @Test
    void shouldRejectAPagilaDirThatLacksCopyFiles() throws IOException {
        Files.writeString(temp.resolve("customer.copy"), "");
        assertThat(usageError("--pagila-dir", temp.toString())).contains("--pagila-dir " + temp,
                "lacks payment.copy, rental.copy", "the Pagila COPY files");
    }

    @Test
    void shouldRejectAPagilaDirThatIsAFile() throws IOException {
        Path file = Files.writeString(temp.resolve("payment.copy"), "");
        assertThat(usageError("--pagila-dir", file.toString())).contains("--pagila-dir " + file,
                "is a file, not a directory");
    }

    @Test
    void shouldRejectGenerateTogetherWithPagilaDir() {
        assertThat(usageError("--generate", "--pagila-dir", temp.toString())).contains(
                "--generate and --pagila-dir", "exclude each other", "pass one of them");
    }

    @Test
    void shouldRejectAnUnknownOptionAndSuggestTheClosest() {
        assertThat(usageError("--rates")).contains("Unknown option: '--rates'", "did you mean --rate?");
    }

    @Test
    void shouldReportEveryProblemAtOnceOneLineEach() {
        Outcome outcome = execute("demo", "--rate", "0", "--bronze-schema", "X");
        assertThat(outcome.exitCode()).isEqualTo(2);
        assertThat(outcome.err().lines()).hasSize(2)
                .allMatch(line -> line.startsWith("bronze-cdc demo: "))
                .anyMatch(line -> line.contains("--rate")).anyMatch(line -> line.contains("--bronze-schema"));
    }

    /** Runs {@code bronze-cdc demo <args>} and returns its single error line after checking the usage-error contract. */
    private static String usageError(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "demo";
        System.arraycopy(args, 0, all, 1, args.length);
        Outcome outcome = execute(all);
        assertThat(outcome.exitCode()).as("exit code; stderr:%n%s", outcome.err()).isEqualTo(2);
        assertThat(outcome.out()).as("nothing started").isEmpty();
        assertThat(outcome.err().lines()).as("one line, no usage screen, no stack trace").hasSize(1);
        assertThat(outcome.err()).startsWith("bronze-cdc demo: ").doesNotContain("Exception", "\tat ");
        return outcome.err().strip();
    }

    private record Outcome(int exitCode, String out, String err) {
    }

    private static Outcome execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = BronzeCdcCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int exitCode = cli.execute(args);
        return new Outcome(exitCode, out.toString(), err.toString());
    }
}
