package io.bronzecdc.model.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class KeySuggesterTest {
    private static final List<String> KNOWN = List.of("source.host", "source.port", "source.slot.name", "tables");

    @Test
    void shouldSuggestKeyWithinFewEdits() {
        assertThat(KeySuggester.closest("source.hots", KNOWN)).contains("source.host");
        assertThat(KeySuggester.closest("SOURCE.PORT", KNOWN)).contains("source.port");
        assertThat(KeySuggester.closest("table", KNOWN)).contains("tables");
    }

    @Test
    void shouldSuggestKeyWithMissingPrefix() {
        assertThat(KeySuggester.closest("slot.name", KNOWN)).contains("source.slot.name");
    }

    @Test
    void shouldSuggestNothingForUnrelatedKey() {
        assertThat(KeySuggester.closest("retries", KNOWN)).isEmpty();
        assertThat(KeySuggester.closest("x", KNOWN)).isEmpty();
    }

    @Test
    void shouldCountEdits() {
        assertThat(KeySuggester.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(KeySuggester.distance("", "abc")).isEqualTo(3);
        assertThat(KeySuggester.distance("same", "same")).isZero();
    }
}
