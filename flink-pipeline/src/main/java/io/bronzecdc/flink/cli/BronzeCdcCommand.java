package io.bronzecdc.flink.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code bronze-cdc} command line: {@code bin/bronze-cdc <command>}. */
@Command(name = "bronze-cdc", mixinStandardHelpOptions = true, version = "bronze-cdc 0.1.0-SNAPSHOT",
        description = "Captures every change of a PostgreSQL database into ordered, exactly-once bronze change-log"
                + " tables.",
        subcommands = {DemoCommand.class})
public final class BronzeCdcCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command, for example: bronze-cdc demo");
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new BronzeCdcCommand()).execute(args));
    }
}
