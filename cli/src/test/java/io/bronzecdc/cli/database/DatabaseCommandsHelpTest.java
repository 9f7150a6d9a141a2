package io.bronzecdc.cli.database;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every database subcommand answers {@code --help} with its usage, options and exit codes, and connects nowhere. */
class DatabaseCommandsHelpTest {
    @ParameterizedTest
    @ValueSource(strings = {"init", "validate", "status", "compact", "drop", "sample-data"})
    void printsItsUsageAndExitCodes(String command) {
        CliRun run = CliRun.of(command, "--help");

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).startsWith("Usage: bronze-cdc " + command + " ").contains("-c, --config=FILE",
                "Exit codes: 0 ");
        assertThat(run.err()).isEmpty();
    }
}
