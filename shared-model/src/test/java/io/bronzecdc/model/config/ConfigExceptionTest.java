package io.bronzecdc.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigExceptionTest {

    @Test
    void shouldListEveryProblemOnItsOwnLine() {
        ConfigException e = new ConfigException("/etc/bronze/pipeline.yaml", List.of(
                ConfigProblem.of("source.port", "an integer 1..65535", "'abc'"),
                new ConfigProblem("source.hots", "a known key", "an unknown key", "did you mean source.host?")));

        assertThat(e.getMessage()).isEqualTo("pipeline config /etc/bronze/pipeline.yaml has 2 problems:\n"
                + "  - source.port: expected an integer 1..65535 but found 'abc'\n"
                + "  - source.hots: expected a known key but found an unknown key; did you mean source.host?");
        assertThat(e.problems()).extracting(ConfigProblem::key).containsExactly("source.port", "source.hots");
        assertThat(e.sourceName()).isEqualTo("/etc/bronze/pipeline.yaml");
    }

    @Test
    void shouldUseSingularForOneProblem() {
        ConfigException e = new ConfigException("a.yaml", List.of(ConfigProblem.of("k", "x", "y")));

        assertThat(e.getMessage()).isEqualTo("pipeline config a.yaml has 1 problem:\n  - k: expected x but found y");
    }

    @Test
    void shouldRefuseToCarryNoProblem() {
        assertThatThrownBy(() -> new ConfigException("a.yaml", List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a ConfigException needs at least one problem for a.yaml");
    }
}
