package io.bronzecdc.model.source;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The oldest source server bronze-cdc accepts. pgoutput before PostgreSQL 14 refuses the {@code messages} option both
 * engines ask for ("unrecognized pgoutput option"), and only when the stream starts, after the snapshot; the preflight
 * refuses such a server before anything is written (seen with the embedded binaries 13.7.0, both engines, exit 2).
 */
class SourcePreflightVersionTest {
    @Test
    void shouldRefuseAServerOlderThanFourteenWithTheVersionAndTheWayOut() {
        assertThat(SourcePreflight.versionProblem(130007, "13.7"))
                .contains("PostgreSQL 13.7", "needs PostgreSQL 14 or later", "upgrade the server");
        assertThat(SourcePreflight.versionProblem(139999, "13.99")).isNotNull();
    }

    @Test
    void shouldAcceptFourteenAndLater() {
        assertThat(SourcePreflight.versionProblem(140000, "14.0")).isNull();
        assertThat(SourcePreflight.versionProblem(170002, "17.2")).isNull();
        assertThat(SourcePreflight.versionProblem(180006, "18.6")).isNull();
    }
}
