package io.bronzecdc.flink.cli;

import io.bronzecdc.model.config.DurationSyntax;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;

/** Durations on the command line in the config syntax: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return DurationSyntax.parse(value);
    }
}
