package io.bronzecdc.flink.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.bronzecdc.model.testing.PagilaFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's main command, run in-process: snapshot, live workload, drain, then the final report in its order
 * (the snapshot's reference check, the live changes, the validation checks), all passing, with exit code 0.
 */
class DemoCommandIT {
    /** The workload's summary: transactions, changes, seconds, connections, achieved and asked tx/s. */
    private static final Pattern RATE = Pattern.compile("([\\d,]+) transactions \\(([\\d,]+) changes\\) in ([\\d.]+) s"
            + " on (\\d+) connections?: ([\\d,]+) tx/s achieved of ([\\d,]+) asked");
    private static final Pattern LIVE_LINE = Pattern.compile("(?m)^  (customer|payment|rental)\\s+([\\d,]+)\\s+"
            + "([\\d,]+)\\s+([\\d,]+)\\s+([\\d,]+)  ok \\(= committed\\)$");

    @Test
    void shouldCaptureThePagilaRowsAndALiveWorkloadAndPassValidation() {
        String out = run(0, "demo", "--pagila-dir", PagilaFiles.directory().toString(), "--duration", "3s");
        assertThat(out).contains("customer      599 rows", "payment    16,049 rows", "rental     16,044 rows",
                "snapshot of 32,692 rows in bronze", "live workload for 3s at 200 tx/s asked, on 2 connections",
                "checks: PASSED (14 checks, 0 violations)");

        // The seed's reference check first, with the exact figures of the Pagila files' snapshot rows.
        int snapshot = out.indexOf("snapshot: the seed's reference check");
        int live = out.indexOf("live changes: ");
        int validation = out.indexOf("bronze-cdc validation of schema cdc_bronze");
        assertThat(snapshot).as("report sections in order in:%n%s", out).isPositive().isLessThan(live);
        assertThat(live).isLessThan(validation);
        assertThat(out.substring(snapshot, live)).containsPattern(
                        "(?m)^  customer\\s+599\\s+599\\s+1\\s+599\\s+599  ok$")
                .containsPattern("(?m)^  payment\\s+16,049\\s+16,049\\s+1\\s+16,049\\s+16,049  ok$")
                .containsPattern("(?m)^  rental\\s+16,044\\s+16,044\\s+1\\s+16,044\\s+16,044  ok$");

        // The live changes: I/U/D per table, equal to what the workload committed, adding up to its total.
        Matcher rate = RATE.matcher(out.substring(live, validation));
        assertThat(rate.find()).as("workload summary in:%n%s", out).isTrue();
        long transactions = number(rate.group(1));
        long changes = number(rate.group(2));
        Matcher lines = LIVE_LINE.matcher(out.substring(live, validation));
        long total = 0;
        int tables = 0;
        while (lines.find()) {
            tables++;
            long ops = number(lines.group(2)) + number(lines.group(3)) + number(lines.group(4));
            assertThat(number(lines.group(5))).isEqualTo(ops);
            total += ops;
        }
        assertThat(tables).as("one ok line per table in:%n%s", out).isEqualTo(3);
        assertThat(total).isEqualTo(changes);
        assertThat(transactions).isPositive();
        assertAchievedRateConsistent(rate, 200);
        assertThat(out).contains("tx/s achieved of 200 asked"); // in the progress lines too
    }

    @Test
    void shouldPrintTheAchievedRateNextToTheAskedOneAndSayWhenItFellShort() {
        // Whether this machine reaches 5,000 tx/s does not matter: the printed rate must match the count, and the
        // verdict must match the printed rate.
        String out = run(0, "demo", "--generate", "--seed", "3", "--duration", "2s", "--rate", "5000");
        assertThat(out).contains("generated Pagila-shaped rows (seed 3)", "payment    16,049 rows",
                "at 5,000 tx/s asked, on 8 connections", "checks: PASSED");
        Matcher rate = RATE.matcher(out.substring(out.indexOf("  workload: ")));
        assertThat(rate.find()).as("workload summary in:%n%s", out).isTrue();
        double achieved = assertAchievedRateConsistent(rate, 5000);
        boolean short_ = achieved < 5000 * WorkloadRate.SHORT_BELOW;
        assertThat(out.contains("FELL SHORT of the asked rate")).as("verdict for %s tx/s in:%n%s", achieved, out)
                .isEqualTo(short_);
    }

    @Test
    void shouldRejectAnUnknownOptionOnOneLine() {
        StringWriter err = new StringWriter();
        StringWriter out = new StringWriter();
        var cli = BronzeCdcCommand.commandLine().setErr(new PrintWriter(err)).setOut(new PrintWriter(out));
        assertThat(cli.execute("demo", "--no-such-option")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("bronze-cdc demo: Unknown option: '--no-such-option'; bronze-cdc demo"
                + " --help lists the options" + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    /** The printed achieved rate equals transactions / seconds (within the rounding of both); returns it. */
    private static double assertAchievedRateConsistent(Matcher rate, int asked) {
        long transactions = number(rate.group(1));
        double seconds = Double.parseDouble(rate.group(3));
        long achieved = number(rate.group(5));
        assertThat(number(rate.group(6))).isEqualTo(asked);
        double counted = transactions / seconds;
        assertThat((double) achieved).as("achieved rate vs %d transactions in %s s", transactions, seconds)
                .isCloseTo(counted, within(1 + counted * 0.005));
        return achieved;
    }

    private static long number(String digits) {
        return Long.parseLong(digits.replace(",", ""));
    }

    private static String run(int expectedExitCode, String... args) {
        StringWriter out = new StringWriter();
        var cli = BronzeCdcCommand.commandLine().setOut(new PrintWriter(out));
        assertThat(cli.execute(args)).as("exit code; output:%n%s", out).isEqualTo(expectedExitCode);
        return out.toString();
    }
}
