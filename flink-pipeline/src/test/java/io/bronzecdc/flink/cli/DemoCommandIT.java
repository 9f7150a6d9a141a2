package io.bronzecdc.flink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.testing.PagilaFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The README's main command, run in-process: snapshot, live workload, drain, and a validation report whose
 * checks all pass, with exit code 0.
 */
class DemoCommandIT {
    @Test
    void shouldCaptureThePagilaRowsAndALiveWorkloadAndPassValidation() {
        String out = run(0, "demo", "--pagila-dir", PagilaFiles.directory().toString(), "--duration", "3s");
        assertThat(out).contains("customer      599 rows", "payment    16,049 rows", "rental     16,044 rows",
                "snapshot of 32,692 rows in bronze", "live workload for 3s", "checks: PASSED (13 checks, 0 violations)");
        // The seed's reference numbers hold for the snapshot part of the log: payment starts dense at lsn 1.
        Matcher payment = Pattern.compile("payment\\s+(\\d+)\\s+1\\s+(\\d+)\\s+(\\d+)").matcher(out);
        assertThat(payment.find()).as("payment row of the report in:%n%s", out).isTrue();
        long rows = Long.parseLong(payment.group(1));
        assertThat(rows).isGreaterThan(16_049L);
        assertThat(Long.parseLong(payment.group(2))).isEqualTo(rows);
        assertThat(Long.parseLong(payment.group(3))).isEqualTo(rows);
    }

    @Test
    void shouldRunOnGeneratedRowsWithoutThePagilaFiles() {
        String out = run(0, "demo", "--generate", "--seed", "3", "--duration", "2s", "--rate", "50");
        assertThat(out).contains("generated Pagila-shaped rows (seed 3)", "payment    16,049 rows",
                "checks: PASSED");
    }

    @Test
    void shouldRejectAnUnknownOptionWithUsage() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new BronzeCdcCommand()).setErr(new PrintWriter(err));
        assertThat(cli.execute("demo", "--no-such-option")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--no-such-option'").contains("Usage: bronze-cdc demo");
    }

    private static String run(int expectedExitCode, String... args) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new BronzeCdcCommand()).setOut(new PrintWriter(out));
        assertThat(cli.execute(args)).as("exit code; output:%n%s", out).isEqualTo(expectedExitCode);
        return out.toString();
    }
}
