package io.bronzecdc.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretTest {

    @Test
    void shouldMaskValueInToString() {
        Secret secret = Secret.of("hunter2");

        assertThat(secret.toString()).isEqualTo("******");
        assertThat(String.valueOf(secret)).doesNotContain("hunter2");
        assertThat(secret.reveal()).isEqualTo("hunter2");
    }

    @Test
    void shouldCompareByValue() {
        assertThat(Secret.of("hunter2")).isEqualTo(Secret.of("hunter2")).hasSameHashCodeAs(Secret.of("hunter2"));
        assertThat(Secret.of("hunter2")).isNotEqualTo(Secret.of("hunter3")).isNotEqualTo("hunter2");
    }

    @Test
    void shouldRejectEmptyAndNullValues() {
        assertThatThrownBy(() -> Secret.of("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a secret must not be empty");
        assertThatThrownBy(() -> Secret.of(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("secret value");
    }
}
