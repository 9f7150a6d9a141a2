package io.bronzecdc.flink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.testing.PagilaFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The README's main command, run in-process: it loads the seed's numbers and exits 0. */
class DemoCommandIT {
    @Test
    void shouldLoadThePagilaFilesAndCreateTheBronzeSchema() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new BronzeCdcCommand()).setOut(new PrintWriter(out));
        assertThat(cli.execute("demo", "--pagila-dir", PagilaFiles.directory().toString())).isZero();
        assertThat(out.toString()).contains("customer      599 rows", "payment    16,049 rows", "rental     16,044 rows",
                "schema cdc_bronze with cdc_bronze.br_customer_cdc");
    }

    @Test
    void shouldRunOnGeneratedRowsWithoutThePagilaFiles() {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new BronzeCdcCommand()).setOut(new PrintWriter(out));
        assertThat(cli.execute("demo", "--generate", "--seed", "3")).isZero();
        assertThat(out.toString()).contains("generated Pagila-shaped rows (seed 3)", "payment    16,049 rows");
    }

    @Test
    void shouldRejectAnUnknownOptionWithUsage() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new BronzeCdcCommand()).setErr(new PrintWriter(err));
        assertThat(cli.execute("demo", "--no-such-option")).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--no-such-option'").contains("Usage: bronze-cdc demo");
    }
}
