package io.bronzecdc.model.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The duration syntax of the config file: a whole number followed by a unit, {@code ms}, {@code s}, {@code m}
 * or {@code h}, with nothing in between: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. The value must be
 * greater than zero. There is no unit-less form, so {@code 300} is rejected instead of guessed.
 */
public final class DurationSyntax {
    /** What a valid duration looks like, phrased to follow "expected". */
    public static final String EXPECTED =
            "a positive duration: a whole number and a unit ms, s, m or h, such as 500ms, 30s, 5m or 1h";

    private static final Pattern SYNTAX = Pattern.compile("(\\d{1,18})(ms|s|m|h)");
    private static final Map<String, ChronoUnit> UNITS = Map.of(
            "ms", ChronoUnit.MILLIS, "s", ChronoUnit.SECONDS, "m", ChronoUnit.MINUTES, "h", ChronoUnit.HOURS);

    private DurationSyntax() {
    }

    /**
     * Parses a duration such as {@code 5m}.
     *
     * @throws IllegalArgumentException quoting the text when it does not follow the syntax or is zero
     */
    public static Duration parse(String text) {
        Objects.requireNonNull(text, "duration text");
        Matcher matcher = SYNTAX.matcher(text);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("expected " + EXPECTED + " but found '" + text + "'");
        }
        long amount = Long.parseLong(matcher.group(1));
        if (amount == 0) {
            throw new IllegalArgumentException("expected " + EXPECTED + " but found '" + text + "', which is zero");
        }
        try {
            return Duration.of(amount, UNITS.get(matcher.group(2)));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("expected " + EXPECTED + " but found '" + text + "', which is too long",
                    e);
        }
    }

    /**
     * Prints a duration in this syntax with the largest unit that divides it exactly ({@code 300s} prints as
     * {@code 5m}). A duration with a fraction of a millisecond, which {@link #parse} never returns, prints in ISO
     * form.
     */
    public static String format(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isZero() || duration.isNegative() || duration.toNanosPart() % 1_000_000 != 0) {
            return duration.toString();
        }
        if (duration.toMillisPart() != 0) {
            return duration.toMillis() + "ms";
        }
        long seconds = duration.toSeconds();
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }

    /** The config value type of a duration key. */
    static ValueType<Duration> type() {
        return new TextType<>(EXPECTED, DurationSyntax::parse, DurationSyntax::format,
                "write the number and the unit together, for example 300s or 5m");
    }
}
