package io.bronzecdc.flink.source.pgoutput;

import io.bronzecdc.flink.source.CapturedChange;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SourceConnections;
import io.bronzecdc.model.source.LateTableSnapshot;
import io.bronzecdc.model.source.SnapshotHandover;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the tables that match the pipeline's patterns but are not captured yet (created, or newly matching, since
 * the start), and brings them in with the shared {@link LateTableSnapshot} (DECISIONS 19 and 21): published behind
 * a short lock where the pipeline's role may, else a warning, once per table and process, naming the statements an
 * administrator must run (the table is tried again at each discovery and captured from the moment it is
 * published); then its snapshot rows, as snapshot {@link CapturedChange}s at the snapshot's lsn, and its
 * {@link SnapshotHandover}.
 */
final class LateTables {
    private static final Logger LOG = LoggerFactory.getLogger(LateTables.class);
    /** How long a new table's snapshot waits for transactions that were writing to it when it was published. */
    static final Duration WRITER_WAIT = Duration.ofSeconds(30);
    /** The warnings already logged by this process. */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private final SlotEndpoint endpoint;
    private final TableDiscovery discovery;

    LateTables(SlotEndpoint endpoint, TableDiscovery discovery) {
        this.endpoint = endpoint;
        this.discovery = discovery;
    }

    Duration interval() {
        return discovery.interval();
    }

    /** The tables the patterns select now that are not among {@code captured}, in catalog order. */
    List<TableId> uncaptured(Collection<String> captured) throws SQLException {
        Optional<List<TableId>> selected;
        try (Connection c = endpoint.connections().open("table discovery")) {
            selected = discovery.resolve(c, endpoint.slot());
        }
        if (selected.isEmpty()) {
            if (WARNED.add(endpoint.slot() + " unresolved")) {
                LOG.warn("Slot {}: the pipeline's {} no longer resolve (a pattern matches no table); tables created"
                        + " since the start are not looked for until they do", endpoint.slot(), discovery);
            }
            return List.of();
        }
        return selected.get().stream().filter(t -> !captured.contains(t.toString())).toList();
    }

    /**
     * Brings each table in: its snapshot rows go to {@code rows}, in the order read.
     *
     * @return the handover of each table captured now, in the order given; a table that cannot be captured yet is
     *     left out (warned once)
     */
    Map<String, SnapshotHandover> bringIn(List<TableId> tables, Consumer<CapturedChange> rows)
            throws SQLException, InterruptedException {
        Map<String, SnapshotHandover> captured = new LinkedHashMap<>();
        if (tables.isEmpty()) {
            return captured;
        }
        LateTableSnapshot snapshots = new LateTableSnapshot(discovery.config(endpoint), WRITER_WAIT);
        SourceConnections connections = endpoint.connections();
        try (Connection control = connections.open("new-table control");
                Connection reader = connections.open("new-table snapshot")) {
            for (TableId table : tables) {
                String name = table.toString();
                long started = System.nanoTime();
                // A deferred table reads no row, so the rows go straight to the output.
                LateTableSnapshot.Outcome outcome = snapshots.bringIn(control, reader, table, () -> { },
                        change -> {
                            long lsn = change.position().changeLsn().asLong();
                            rows.accept(CapturedChange.snapshotRow(name, change.fullRow(), lsn, lsn));
                        });
                if (outcome instanceof LateTableSnapshot.Captured done) {
                    captured.put(name, done.handover());
                    LOG.info("Slot {}: new table {} captured: {}snapshot of {} rows in {} ms ({}); its streamed"
                            + " changes follow", endpoint.slot(), table, done.applied().isEmpty()
                            ? "already published; " : "published (" + String.join("; ", done.applied()) + "); ",
                            done.rows(), (System.nanoTime() - started) / 1_000_000, done.handover());
                } else if (outcome instanceof LateTableSnapshot.Deferred deferred) {
                    if (WARNED.add(endpoint.slot() + " " + name + " " + deferred.reason())) {
                        LOG.warn("Slot {}: {}", endpoint.slot(), deferred.reason());
                    } else {
                        LOG.debug("Slot {}: table {} is still not captured (see the earlier warning)", endpoint.slot(),
                                table);
                    }
                }
            }
        }
        return captured;
    }
}
