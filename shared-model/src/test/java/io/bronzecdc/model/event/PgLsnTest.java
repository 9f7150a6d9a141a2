package io.bronzecdc.model.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PgLsnTest {
    @Test
    void shouldParseAndPrintTheServerForm() {
        PgLsn lsn = PgLsn.parse("16/B374D848");
        assertThat(lsn.asLong()).isEqualTo(0x16B374D848L);
        assertThat(lsn).hasToString("16/B374D848");
        assertThat(PgLsn.of(0x16B374D848L)).isEqualTo(lsn).hasSameHashCodeAs(lsn);
        assertThat(PgLsn.parse("0/0")).isSameAs(PgLsn.ZERO);
        assertThat(PgLsn.parse("ffffffff/ffffffff").asLong()).isEqualTo(-1L);
        assertThat(PgLsn.of(-1L)).hasToString("FFFFFFFF/FFFFFFFF");
    }

    @Test
    void shouldCompareAsUnsigned() {
        assertThat(PgLsn.parse("0/1")).isLessThan(PgLsn.parse("0/2"));
        assertThat(PgLsn.parse("1/0")).isGreaterThan(PgLsn.parse("0/FFFFFFFF"));
        assertThat(PgLsn.parse("FFFFFFFF/0")).isGreaterThan(PgLsn.parse("7FFFFFFF/0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "16", "/1", "1/", "1/2/3", "G/1", "123456789/0", "0/123456789", "-1/0"})
    void shouldRejectMalformedTextQuotingIt(String text) {
        assertThatThrownBy(() -> PgLsn.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("X/X")
                .hasMessageContaining("'" + text + "'");
    }
}
