package io.bronzecdc.bench.peer;

import io.bronzecdc.cli.engine.ModuleBuild;
import io.bronzecdc.cli.engine.ProjectLayout;

/**
 * A plain Flink CDC job (Flink CDC 3.5 Postgres source with the JSON deserializer, flink-connector-jdbc's
 * at-least-once sink) in a local MiniCluster of its own JVM: module {@value #MODULE}. Checkpoints in its work folder.
 */
public final class FlinkCdcPeer extends PeerRunner {
    /** The module that holds the peer. */
    public static final String MODULE = "peer-flink-cdc";
    /** The peer's main class. */
    public static final String MAIN_CLASS = "io.bronzecdc.peer.flinkcdc.FlinkCdcPeer";

    public FlinkCdcPeer(ModuleBuild build) {
        super(build, MAIN_CLASS);
    }

    /** The peer built in {@code layout}; throws naming the build to run when it is not built. */
    public static FlinkCdcPeer of(ProjectLayout layout) {
        return new FlinkCdcPeer(layout.build(MODULE));
    }

    @Override
    public String name() {
        return "flink-cdc";
    }
}
