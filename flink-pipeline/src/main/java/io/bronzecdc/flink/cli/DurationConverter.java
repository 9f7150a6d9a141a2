package io.bronzecdc.flink.cli;

import io.bronzecdc.model.config.DurationSyntax;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations on the command line in the config syntax: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. Zero,
 * negative and unit-less values are usage errors; picocli prints the message after the option's name.
 */
final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return DurationSyntax.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
