package io.bronzecdc.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationSyntaxTest {

    @ParameterizedTest
    @CsvSource({"500ms, PT0.5S", "30s, PT30S", "5m, PT5M", "1h, PT1H", "90m, PT1H30M", "1ms, PT0.001S"})
    void shouldParseNumberWithUnit(String text, String iso) {
        assertThat(DurationSyntax.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "0ms", "5", "5 m", "-5m", "5M", "1.5h", "", "5min", "m", "1d", " 5m",
        "9999999999999999999h"})
    void shouldRejectAnythingElseQuotingIt(String text) {
        assertThatThrownBy(() -> DurationSyntax.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("expected " + DurationSyntax.EXPECTED + " but found '" + text + "'");
    }

    @Test
    void shouldRejectOverflowingDuration() {
        assertThatThrownBy(() -> DurationSyntax.parse("999999999999999999h"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("'999999999999999999h', which is too long")
                .hasCauseInstanceOf(ArithmeticException.class);
    }

    @ParameterizedTest
    @CsvSource({"PT0.5S, 500ms", "PT30S, 30s", "PT300S, 5m", "PT2H, 2h", "PT1H30M, 90m", "PT61S, 61s",
        "PT1.5S, 1500ms"})
    void shouldFormatWithLargestExactUnit(String iso, String text) {
        Duration duration = Duration.parse(iso);

        assertThat(DurationSyntax.format(duration)).isEqualTo(text);
        assertThat(DurationSyntax.parse(text)).isEqualTo(duration);
    }
}
