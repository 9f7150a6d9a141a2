package io.bronzecdc.cli;

import io.bronzecdc.cli.database.CompactCommand;
import io.bronzecdc.cli.database.DropCommand;
import io.bronzecdc.cli.database.InitCommand;
import io.bronzecdc.cli.database.SampleDataCommand;
import io.bronzecdc.cli.database.StatusCommand;
import io.bronzecdc.cli.database.ValidateCommand;
import io.bronzecdc.model.ExitCode;
import io.bronzecdc.model.config.ConfigException;
import io.bronzecdc.model.postgres.SourceConnectionException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code bronze-cdc} command ({@code bin/bronze-cdc <command>}): engine-neutral; the engines run in JVMs of their
 * own ({@link io.bronzecdc.cli.engine}). Every subcommand ends with one {@link ExitCode}.
 */
@Command(name = "bronze-cdc", mixinStandardHelpOptions = true, version = "bronze-cdc 0.1.0-SNAPSHOT",
        description = "Captures every change of a PostgreSQL database into ordered, exactly-once bronze change-log"
                + " tables.",
        subcommands = {SampleDataCommand.class, InitCommand.class, StreamCommand.class, BatchCommand.class,
                StatusCommand.class, ValidateCommand.class, CompactCommand.class, DropCommand.class,
                DemoCommand.class, BenchCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 failed (see the message), 2 not ready or bad input (nothing changed),"
                + " 3 another run of the pipeline is active, 4 a validation check failed, 5 lag above the alert"
                + " threshold (status), 130 stopped by Ctrl-C."})
public final class BronzeCdc implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print the stack trace of an error too.")
    private boolean verbose;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a command, for example: bronze-cdc demo");
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line as {@code bin/bronze-cdc} runs it. A usage error prints one line per problem and exits 2; a
     * {@link CommandException}, a bad config or an unreachable database prints its message alone (it names the problem
     * and its fix) with its exit code; anything else also prints its stack trace and exits 1.
     */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new BronzeCdc());
        // the demo's options are its own (it runs in the Flink engine's JVM): every argument goes to it unparsed
        cli.getSubcommands().get("demo").setUnmatchedOptionsArePositionalParams(true).setStopAtPositional(true);
        // the same for bench: its options are the harness's (or JMH's), in the benchmarks module's JVM
        cli.getSubcommands().get("bench").setUnmatchedOptionsArePositionalParams(true).setStopAtPositional(true);
        cli.setParameterExceptionHandler(BronzeCdc::printUsageError);
        cli.setExecutionExceptionHandler((error, command, parsed) -> {
            ExitCode code = exitCodeOf(error);
            PrintWriter err = command.getErr();
            err.println(command.getCommandSpec().qualifiedName() + ": " + error.getMessage());
            if (code == ExitCode.FAILED || parsed.hasMatchedOption("--verbose")) {
                error.printStackTrace(err);
            }
            err.flush();
            return code.code();
        });
        return cli;
    }

    /** The exit code of an error a subcommand threw. */
    static ExitCode exitCodeOf(Throwable error) {
        if (error instanceof CommandException command) {
            return command.exitCode();
        }
        if (error instanceof ConfigException || error instanceof SourceConnectionException) {
            return ExitCode.NOT_READY;
        }
        return ExitCode.FAILED;
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
        for (String line : (e.getMessage() + hint).split("\n")) {
            err.println(name + ": " + line);
        }
        err.flush();
        return ExitCode.NOT_READY.code();
    }
}
