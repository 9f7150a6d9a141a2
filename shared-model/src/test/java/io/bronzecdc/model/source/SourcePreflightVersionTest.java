package io.bronzecdc.model.source;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The oldest source server bronze-cdc accepts. A PostgreSQL 13.7 server run through the engines (embedded binaries
 * 13.7.0) refused the stream with "unrecognized pgoutput option" only after the snapshot; the preflight now refuses it
 * before anything is written.
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
