package io.bronzecdc.bench.peer;

import io.bronzecdc.cli.engine.ProjectLayout;

/** The Debezium embedded peer captures Pagila and a seeded workload into bronze that passes the validators. */
class DebeziumPeerIT extends PeerCaptureIT {
    @Override
    PeerRunner peer(ProjectLayout layout) {
        return DebeziumPeer.of(layout);
    }
}
