package io.bronzecdc.bench.peer;

import io.bronzecdc.cli.engine.ProjectLayout;

/** The plain Flink CDC peer captures Pagila and a seeded workload into bronze that passes the validators. */
class FlinkCdcPeerIT extends PeerCaptureIT {
    @Override
    PeerRunner peer(ProjectLayout layout) {
        return FlinkCdcPeer.of(layout);
    }
}
