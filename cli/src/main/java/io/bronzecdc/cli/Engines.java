package io.bronzecdc.cli;

import io.bronzecdc.cli.engine.FlinkEngine;
import io.bronzecdc.cli.engine.ProjectLayout;
import io.bronzecdc.cli.engine.SparkEngine;
import io.bronzecdc.model.ExitCode;

/**
 * The engines as the command finds them: the checkout {@code bin/bronze-cdc} names (system properties {@value
 * ProjectLayout#ROOT_PROPERTY} and {@value ProjectLayout#VERSION_PROPERTY}) and the engine modules' build output there.
 */
final class Engines {
    private Engines() {
    }

    static FlinkEngine flink() {
        try {
            return FlinkEngine.of(ProjectLayout.fromSystemProperties());
        } catch (IllegalStateException e) {
            throw notBuilt(e);
        }
    }

    static SparkEngine spark() {
        try {
            return SparkEngine.of(ProjectLayout.fromSystemProperties());
        } catch (IllegalStateException e) {
            throw notBuilt(e);
        }
    }

    static ProjectLayout layout() {
        try {
            return ProjectLayout.fromSystemProperties();
        } catch (IllegalStateException e) {
            throw notBuilt(e);
        }
    }

    private static CommandException notBuilt(IllegalStateException e) {
        return new CommandException(ExitCode.NOT_READY, e.getMessage() + ". bin/bronze-cdc builds what is missing on"
                + " its next start", e);
    }
}
