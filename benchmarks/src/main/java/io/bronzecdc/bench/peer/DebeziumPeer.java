package io.bronzecdc.bench.peer;

import io.bronzecdc.cli.engine.ModuleBuild;
import io.bronzecdc.cli.engine.ProjectLayout;

/**
 * The Debezium embedded engine (Debezium 3.6.1, pgoutput) writing bronze rows over JDBC, one transaction per batch:
 * module {@value #MODULE}. Offsets in its work folder; bronze lsn continues from {@code max(lsn)} at each start.
 */
public final class DebeziumPeer extends PeerRunner {
    /** The module that holds the peer. */
    public static final String MODULE = "peer-debezium";
    /** The peer's main class. */
    public static final String MAIN_CLASS = "io.bronzecdc.peer.debezium.DebeziumPeer";

    public DebeziumPeer(ModuleBuild build) {
        super(build, MAIN_CLASS);
    }

    /** The peer built in {@code layout}; throws naming the build to run when it is not built. */
    public static DebeziumPeer of(ProjectLayout layout) {
        return new DebeziumPeer(layout.build(MODULE));
    }

    @Override
    public String name() {
        return "debezium";
    }
}
