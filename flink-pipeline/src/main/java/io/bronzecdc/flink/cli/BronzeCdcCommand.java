package io.bronzecdc.flink.cli;

import io.bronzecdc.model.ParentWatch;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** The {@code bronze-cdc} command line: {@code bin/bronze-cdc <command>}. */
@Command(name = "bronze-cdc", mixinStandardHelpOptions = true, version = "bronze-cdc 0.1.0-SNAPSHOT",
        description = "Captures every change of a PostgreSQL database into ordered, exactly-once bronze change-log"
                + " tables.",
        subcommands = {DemoCommand.class})
public final class BronzeCdcCommand implements Runnable {
    /** Exit code of a usage error: a bad or unknown option, or a bad value (picocli's default code). */
    static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a command, for example: bronze-cdc demo");
    }

    public static void main(String[] args) {
        ParentWatch.startIfRequested(1);
        System.exit(commandLine().execute(args));
    }

    /** The command line as {@code bin/bronze-cdc} runs it: usage errors print as one line each, exit code 2. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new BronzeCdcCommand());
        cli.setParameterExceptionHandler(BronzeCdcCommand::printUsageError);
        return cli;
    }

    /**
     * One line per problem, each naming the command, and no usage screen: the problem stays visible, and
     * {@code --help} is one command away. An unknown option also gets picocli's closest known options.
     */
    private static int printUsageError(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        PrintWriter err = cmd.getErr();
        String hint = "";
        if (e instanceof UnmatchedArgumentException unmatched) {
            hint = unmatched.getSuggestions().isEmpty() ? "; " + name + " --help lists the options"
                    : "; did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?";
        }
        String[] lines = (e.getMessage() + hint).split("\n");
        for (String line : lines) {
            err.println(name + ": " + line);
        }
        err.flush();
        return EXIT_USAGE;
    }
}
