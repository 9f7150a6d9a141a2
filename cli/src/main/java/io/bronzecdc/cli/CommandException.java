package io.bronzecdc.cli;

import io.bronzecdc.model.ExitCode;

/**
 * A subcommand's end with a message for the user and the exit code that classifies it: what is wrong, where, and how
 * to fix it. {@link BronzeCdc} prints the message alone (no stack trace unless {@code --verbose}).
 */
public final class CommandException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ExitCode exitCode;

    public CommandException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CommandException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** How the process ends. */
    public ExitCode exitCode() {
        return exitCode;
    }
}
