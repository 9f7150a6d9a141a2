package io.bronzecdc.model.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.ContractViolationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PgTextValuesTest {
    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "7", "-12.50", "0.0000000001", "1e+100", "1.5e-07", "2E3",
        "123456789012345678901234567890.123456789"})
    void shouldAcceptJsonNumbers(String text) {
        assertThat(PgTextValues.number(text, "c")).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", "01", ".5", "5.", "1e", "1e+", "+1", "1.2.3", "12a", "NaN", " 1"})
    void shouldRejectWhatIsNotAJsonNumberNamingTheColumn(String text) {
        assertThatThrownBy(() -> PgTextValues.number(text, "amount"))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("column amount: expected PostgreSQL text output of a number but found '"
                        + text + "'");
    }
}
