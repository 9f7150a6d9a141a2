package io.bronzecdc.bench.harness;

import io.bronzecdc.cli.engine.EngineRunner;
import io.bronzecdc.cli.engine.ProjectLayout;

/** The peers' runners (package io.bronzecdc.bench.peer). */
final class Peers {
    private Peers() {
    }

    static EngineRunner runner(String pipeline, ProjectLayout layout) {
        throw new IllegalStateException("the " + pipeline + " peer is not built into this harness yet");
    }
}
