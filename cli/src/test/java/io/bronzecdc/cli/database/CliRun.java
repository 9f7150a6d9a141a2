package io.bronzecdc.cli.database;

import io.bronzecdc.cli.BronzeCdc;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One run of the {@code bronze-cdc} command in this JVM, as {@code bin/bronze-cdc} runs it, with its output. */
record CliRun(int exitCode, String out, String err) {
    static CliRun of(String... args) {
        CommandLine cli = BronzeCdc.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        CliRun run = new CliRun(code, out.toString(), err.toString());
        System.out.println("$ bronze-cdc " + String.join(" ", args) + "\n" + run.all());
        return run;
    }

    /** Everything printed, for failure messages. */
    String all() {
        return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
}
