package io.bronzecdc.flink.source.pgoutput;

import io.bronzecdc.flink.source.CapturedChange;
import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SourceConnections;
import io.bronzecdc.model.source.ExportedSnapshot;
import io.bronzecdc.model.source.ParallelSnapshot;
import io.bronzecdc.model.source.SnapshotHandover;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the slot's split: the initial snapshot on a first start, then the stream, emitting {@link CapturedChange}s
 * in commit order and keeping the split's position for checkpoints.
 *
 * <p><b>Snapshot.</b> With no state, the reader creates the slot with an exported snapshot
 * ({@link ExportedSnapshot}), reads every captured table inside that snapshot with several connections
 * ({@link ParallelSnapshot}) and then streams from the slot's consistent point: the snapshot holds exactly the
 * transactions committed before it, the stream exactly those after it. Snapshot rows carry the consistent point as
 * their change and order position (bronze {@code source_lsn}, as in the Spark engine), no transaction id and no
 * commit time; each table's rows end with a {@link CapturedChange#TRANSACTION_END}, after which the sink commits
 * them. The whole snapshot is emitted inside one {@link #pollNext} call, so no checkpoint can complete in its middle:
 * a checkpoint that held half a snapshot could not be resumed, since the exported snapshot dies with its connection.
 * A start without state on a slot that exists asks bronze what it holds ({@link BronzeHeld}): when bronze holds
 * tables of it (an earlier start wrote them and died, or its checkpoints are lost) the reader {@link #resume resumes}
 * the stream at the slot's confirmed position without a snapshot, and the tables bronze does not hold are brought in
 * like tables created later; when bronze holds nothing, the earlier start died before its snapshot was written, so
 * the reader drops the slot and takes the snapshot again.
 *
 * <p><b>Stream.</b> A {@link ReplicationFetcher} thread reads and decodes; {@link #pollNext} drains its queue and
 * updates the split only for what it emitted: after a transaction's commit the restart position becomes its end
 * LSN, and each table the transaction changed gets its {@link CapturedChange#TRANSACTION_END}. A checkpoint inside a
 * transaction keeps the restart position before it, so a restore sends that transaction again whole; the sink
 * ({@code BronzeLogSink}) skips what bronze holds by stream position ({@code orderLsn}, {@code orderKey}). Changes are
 * ordered by their transaction's commit LSN ({@code orderLsn}) and their key in it; {@code changeLsn} is the change
 * message's WAL position. TRUNCATE and schema-change events of captured tables are emitted in order with the changes
 * ({@link CapturedChange#of}).
 *
 * <p><b>Tables created later.</b> Every {@link TableDiscovery#interval()} while streaming, and before the stream
 * starts (so also at a restore), the reader resolves the config's table patterns again ({@link LateTables}). A table
 * that matches and is not captured is published if needed and the role may, its snapshot read in a REPEATABLE READ
 * transaction and emitted as snapshot rows within that one {@link #pollNext} call, and the table joins the split
 * with its {@link SnapshotHandover}. The fetcher is then stopped and started again from the split's restart
 * position, exactly as after a restore (the sink skips what it already has of the resent transactions), with the
 * table captured and the handover's rule in its decoder: a streamed change of the table is dropped exactly when the
 * snapshot holds its transaction. The snapshot rows thus precede every streamed change of the table that the
 * snapshot does not hold. Every transaction that wrote to the table and committed before the snapshot is visible in
 * it (the shared snapshot waits for the table's writers), so the changes the old stream already passed are in the
 * snapshot. The handover stays in the split (checkpointed) until the restart position passes its lsn. The snapshot
 * rows are placed at the stream's restart position (key -1), before every change streamed from there. A restore of
 * a checkpoint taken before the table joined finds its snapshot in bronze ({@link BronzeHeld}, with the handover the
 * sink recorded): the table joins again with that handover and no new snapshot.
 *
 * <p><b>Slot.</b> The slot's confirmed position moves only in {@link #notifyCheckpointComplete}, to the restart
 * position recorded by that checkpoint: by then the sink has committed what the checkpoint covers. A restore
 * whose slot is gone, or confirmed beyond the restored position, fails the job for good (a
 * {@link ContractViolationException} inside Flink's {@link SuppressRestartsException}, so the restart strategy does
 * not retry it): changes are lost to this pipeline, and no retry brings them back.
 */
final class SlotReader implements SourceReader<CapturedChange, SlotSplit> {
    private static final Logger LOG = LoggerFactory.getLogger(SlotReader.class);
    private static final long PROGRESS_INTERVAL_MILLIS = 10_000;
    private static final long SLOT_RELEASE_WAIT_MILLIS = 60_000;

    private final SlotEndpoint endpoint;
    private final Set<String> jobTables;
    private final LateTables lateTables;
    private final NavigableMap<Long, Long> restartByCheckpoint = new TreeMap<>();
    private final CompletableFuture<Void> splitArrived = new CompletableFuture<>();
    private SlotSplit split;
    /** The split's tables and pending handovers, as tables join. */
    private final List<String> captured = new ArrayList<>();
    private final Map<String, SnapshotHandover> handovers = new LinkedHashMap<>();
    private long discoverAt;
    private ReplicationFetcher fetcher;
    private List<StreamItem> pending;
    private int pendingIndex;
    // the split's moving parts, kept in fields on the hot path
    private long restartLsn;
    private long openCommitLsn;
    private long lastEmittedKey;
    /** The tables the transaction being emitted changed so far, each of which gets its end. */
    private final Set<String> touched = new LinkedHashSet<>();
    private long emitted;
    private long loggedAt = System.currentTimeMillis();
    private long loggedEmitted;

    private final BronzeHeld bronze;

    SlotReader(SlotEndpoint endpoint, List<String> jobTables, TableDiscovery discovery, BronzeHeld bronze) {
        this.endpoint = endpoint;
        this.bronze = bronze;
        this.jobTables = new LinkedHashSet<>(jobTables);
        this.lateTables = new LateTables(endpoint, discovery);
    }

    @Override
    public void start() {
    }

    @Override
    public void addSplits(List<SlotSplit> splits) {
        if (splits.size() != 1 || split != null) {
            throw new IllegalStateException("the pgoutput source reads exactly one split (the slot) per reader but got "
                    + splits.size() + (split != null ? " more" : ""));
        }
        split = splits.get(0);
        captured.addAll(split.tables());
        handovers.putAll(split.handovers());
        restartLsn = split.restartLsn();
        openCommitLsn = split.openCommitLsn();
        lastEmittedKey = split.lastEmittedKey();
        LOG.info("Slot {}: {}", endpoint.slot(), !split.snapshotDone() ? "snapshot not taken yet"
                : "restarting at " + PgLsn.of(restartLsn) + (split.hasOpenTransaction() ? ", sending transaction "
                        + PgLsn.of(openCommitLsn) + " again from its start (bronze skips what it holds)" : "")
                        + (handovers.isEmpty() ? "" : ", handing over from the snapshots of " + handovers));
        splitArrived.complete(null);
    }

    @Override
    public void notifyNoMoreSplits() {
    }

    @Override
    public InputStatus pollNext(ReaderOutput<CapturedChange> output) throws Exception {
        if (split == null) {
            return InputStatus.NOTHING_AVAILABLE;
        }
        if (!split.snapshotDone()) {
            snapshot(output);
            return InputStatus.MORE_AVAILABLE;
        }
        if (fetcher == null) {
            bringInNewTables(output);
            startStream();
        } else if (System.currentTimeMillis() >= discoverAt && bringInNewTables(output)) {
            restartStream();
            return InputStatus.MORE_AVAILABLE;
        }
        if (pending == null) {
            pending = fetcher.poll();
            pendingIndex = 0;
            if (pending == null) {
                logProgress();
                return InputStatus.NOTHING_AVAILABLE;
            }
        }
        List<StreamItem> items = pending;
        for (int i = pendingIndex; i < items.size(); i++) {
            StreamItem item = items.get(i);
            if (item instanceof StreamItem.Change change) {
                emit(change, output);
            } else if (item instanceof StreamItem.Commit commit) {
                for (String table : touched) {
                    output.collect(CapturedChange.endOf(table, commit.commitLsn()));
                }
                touched.clear();
                restartLsn = Math.max(restartLsn, commit.endLsn());
                openCommitLsn = SlotSplit.NO_OPEN_TRANSACTION;
                lastEmittedKey = -1;
            } else if (item instanceof StreamItem.Position position && openCommitLsn == SlotSplit.NO_OPEN_TRANSACTION) {
                restartLsn = Math.max(restartLsn, position.lsn());
            }
        }
        pending = null;
        logProgress();
        return fetcher.queuedBatches() > 0 ? InputStatus.MORE_AVAILABLE : InputStatus.NOTHING_AVAILABLE;
    }

    private void emit(StreamItem.Change change, ReaderOutput<CapturedChange> output) {
        output.collect(change.change());
        touched.add(change.change().table());
        openCommitLsn = change.commitLsn();
        lastEmittedKey = change.key();
        emitted++;
    }

    /**
     * Brings in the tables that match the patterns now but are not captured: their snapshot rows are emitted and
     * they join the split with their handovers. The stream must be (re)started afterwards for them.
     *
     * @return whether a table was brought in
     */
    private boolean bringInNewTables(ReaderOutput<CapturedChange> output) throws SQLException, InterruptedException {
        discoverAt = System.currentTimeMillis() + lateTables.interval().toMillis();
        List<TableId> uncaptured = lateTables.uncaptured(captured);
        if (uncaptured.isEmpty()) {
            return false;
        }
        Map<String, SnapshotHandover> joined = new LinkedHashMap<>();
        List<TableId> toSnapshot = new ArrayList<>();
        Map<String, BronzeHeld.Table> held = bronze.tables();
        for (TableId table : uncaptured) {
            BronzeHeld.Table done = held.get(table.toString());
            if (done == null) {
                toSnapshot.add(table);
            } else {
                // Brought in before the checkpoint this reader restored: bronze holds its snapshot already.
                LOG.info("Slot {}: table {} resumes where bronze holds it ({}), without a new snapshot",
                        endpoint.slot(), table, done);
                joined.put(table.toString(), done.handover());
            }
        }
        long position = restartLsn;
        Map<String, SnapshotHandover> snapshotted = lateTables.bringIn(toSnapshot,
                row -> output.collect(CapturedChange.snapshotRow(row.table(), row.fullRow(), position, row.changeLsn())));
        snapshotted.forEach((table, handover) -> output.collect(
                CapturedChange.snapshotEnd(table, position, handover.snapshotLsn(), handover.xids())));
        joined.putAll(snapshotted);
        joined.forEach((table, handover) -> {
            captured.add(table);
            jobTables.add(table);
            if (handover != null && !handover.passedBy(PgLsn.of(restartLsn))) {
                handovers.put(table, handover);
            }
        });
        discoverAt = System.currentTimeMillis() + lateTables.interval().toMillis();
        return !joined.isEmpty();
    }

    /**
     * Stops the fetcher, dropping what it read ahead, and starts a new one from the restart position, as a restore
     * does: a transaction cut at the last emitted change is sent again whole, and the sink skips what it has of it.
     */
    private void restartStream() throws SQLException, InterruptedException {
        fetcher.stop();
        fetcher = null;
        pending = null;
        touched.clear();
        startStream();
    }

    /** The captured tables: those of the split that the job still captures. */
    private List<TableId> streamedTables() {
        List<TableId> kept = new ArrayList<>();
        for (String table : captured) {
            if (jobTables.contains(table)) {
                kept.add(TableId.parse(table));
            } else {
                LOG.warn("Table {} was captured when the pipeline started but no longer matches its tables; its"
                        + " changes are no longer captured", table);
            }
        }
        return kept;
    }

    private void startStream() throws SQLException, InterruptedException {
        try (Connection c = endpoint.connections().open("slot check")) {
            ContractViolationException refusal = restoreRefusal(awaitReleased(c));
            if (refusal != null) {
                LOG.error(refusal.getMessage());
                throw new SuppressRestartsException(refusal);
            }
        }
        fetcher = new ReplicationFetcher(endpoint, streamedTables(), handovers, restartLsn, lateTables.interval());
        fetcher.start("pgoutput-fetcher " + endpoint.slot());
    }

    /**
     * Why the stream must not start from the split's restart position, or null when it may: the slot is gone (a
     * new one would silently skip what was committed since), or it was confirmed beyond that position (another
     * reader consumed changes bronze lacks). Neither heals by retrying.
     */
    private ContractViolationException restoreRefusal(SlotState state) {
        if (state == null) {
            return new ContractViolationException("Pipeline " + endpoint.slot() + ": the job restores a"
                    + " checkpoint that streamed up to " + PgLsn.of(restartLsn) + " but replication slot "
                    + endpoint.slot() + " does not exist, so the changes committed since then are lost to this"
                    + " pipeline. A new slot would silently skip them. Rebuild: drop the bronze tables of this"
                    + " pipeline (or use a new bronze.schema) and start the job without state, which takes a new"
                    + " snapshot");
        }
        if (state.confirmedFlush() > restartLsn) {
            return new ContractViolationException("Pipeline " + endpoint.slot() + ": slot " + endpoint.slot()
                    + " was confirmed up to " + PgLsn.of(state.confirmedFlush()) + " but the restored checkpoint"
                    + " covers only up to " + PgLsn.of(restartLsn) + ", so the changes in between were consumed"
                    + " by another reader (or the job restores an older checkpoint than its last) and are missing"
                    + " from bronze. Restore the latest checkpoint; give each consumer its own slot; else rebuild"
                    + " this pipeline's bronze tables from a new snapshot (new bronze.schema, start without"
                    + " state)");
        }
        return null;
    }

    private void snapshot(ReaderOutput<CapturedChange> output) throws SQLException, InterruptedException {
        SourceConnections connections = endpoint.connections();
        Map<String, BronzeHeld.Table> held = bronze.tables();
        try (Connection c = connections.open("slot check")) {
            SlotState slot = awaitReleased(c);
            if (slot != null && !held.isEmpty()) {
                resume(slot, held);
                return;
            }
            if (slot == null && !held.isEmpty()) {
                ContractViolationException refusal = new ContractViolationException("Pipeline " + endpoint.slot()
                        + ": bronze holds tables " + held.keySet() + " but replication slot " + endpoint.slot()
                        + " does not exist, so the changes committed since bronze's last write are lost to this"
                        + " pipeline. Rebuild: drop the bronze tables of this pipeline (or use a new bronze.schema)"
                        + " and start again");
                LOG.error(refusal.getMessage());
                throw new SuppressRestartsException(refusal);
            }
            if (slot != null) {
                // Bronze holds nothing of this slot: an earlier start died before its snapshot was written. Its
                // exported snapshot is gone with its connection, so recreating the slot with a new snapshot loses
                // nothing.
                LOG.warn("Slot {} exists but bronze holds nothing of it (an earlier start failed before its snapshot"
                        + " was written): dropping and recreating it with a new snapshot", endpoint.slot());
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                    ps.setString(1, endpoint.slot());
                    ps.executeQuery().close();
                }
            }
        }
        long started = System.nanoTime();
        Map<TableId, String> names = new LinkedHashMap<>();
        for (String name : split.tables()) {
            names.put(TableId.parse(name), name);
        }
        try (ExportedSnapshot exported = ExportedSnapshot.createSlot(connections, endpoint.slot())) {
            long lsn = exported.consistentPoint().asLong();
            // Read by several connections inside the one exported snapshot, emitted here: still one pollNext call.
            long rows = ParallelSnapshot.read(connections, exported, List.copyOf(names.keySet()),
                    ParallelSnapshot.Options.fromSystemProperties(),
                    change -> CapturedChange.snapshotRow(names.get(change.table()), change.fullRow(), lsn, lsn),
                    output::collect);
            for (String name : split.tables()) {
                output.collect(CapturedChange.snapshotEnd(name, lsn, lsn, null));
            }
            split = split.afterSnapshot(lsn);
            captured.clear();
            captured.addAll(split.tables());
            restartLsn = lsn;
            LOG.info("Snapshot of slot {} at consistent point {}: {} rows of {} tables in {} ms; streaming from there",
                    endpoint.slot(), exported.consistentPoint(), rows, captured.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        }
    }

    /**
     * A start without checkpointed state on a slot that bronze already holds tables of (an earlier run of the
     * pipeline wrote them, and its checkpoints are gone or were never taken): no new snapshot. The stream restarts at
     * the slot's confirmed position, which is never past what bronze holds, and the writer skips what bronze has;
     * tables that bronze does not hold are brought in like tables created later, with a snapshot of their own.
     */
    private void resume(SlotState slot, Map<String, BronzeHeld.Table> held) {
        restartLsn = slot.confirmedFlush();
        split = split.afterSnapshot(restartLsn);
        captured.clear();
        for (String table : split.tables()) {
            BronzeHeld.Table done = held.get(table);
            if (done != null) {
                captured.add(table);
                if (done.handover() != null && !done.handover().passedBy(PgLsn.of(restartLsn))) {
                    handovers.put(table, done.handover());
                }
            }
        }
        LOG.info("Slot {}: bronze holds {} of the {} captured tables; resuming the stream at the slot's confirmed"
                + " position {} without a new snapshot (bronze skips what it holds){}", endpoint.slot(),
                captured.size(), split.tables().size(), PgLsn.of(restartLsn), captured.size() < split.tables().size()
                        ? "; the others are brought in with a snapshot of their own" : "");
    }

    /** The slot's state once no other connection streams from it (a previous attempt's), or null when absent. */
    private SlotState awaitReleased(Connection c) throws SQLException, InterruptedException {
        long deadline = System.currentTimeMillis() + SLOT_RELEASE_WAIT_MILLIS;
        while (true) {
            try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(confirmed_flush_lsn, '0/0')::text,"
                    + " active_pid FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, endpoint.slot());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    Integer activePid = (Integer) rs.getObject(2);
                    if (activePid == null) {
                        return new SlotState(PgLsn.parse(rs.getString(1)).asLong());
                    }
                    if (System.currentTimeMillis() > deadline) {
                        throw new IllegalStateException("replication slot " + endpoint.slot() + " is still in use by"
                                + " backend " + activePid + " after " + SLOT_RELEASE_WAIT_MILLIS / 1000 + " s; another"
                                + " consumer reads it. One slot per pipeline: stop the other consumer");
                    }
                }
            }
            Thread.sleep(200);
        }
    }

    private record SlotState(long confirmedFlush) {
    }

    @Override
    public List<SlotSplit> snapshotState(long checkpointId) {
        if (split == null) {
            return List.of();
        }
        restartByCheckpoint.put(checkpointId, restartLsn);
        // A handover the stream passed drops nothing any more, nor after a restore from here.
        handovers.values().removeIf(handover -> handover.passedBy(PgLsn.of(restartLsn)));
        return List.of(new SlotSplit(restartLsn, openCommitLsn, lastEmittedKey, split.snapshotDone(), captured,
                handovers));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        Long lsn = restartByCheckpoint.get(checkpointId);
        restartByCheckpoint.headMap(checkpointId, true).clear();
        if (lsn != null && fetcher != null) {
            fetcher.confirm(lsn);
        }
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        if (split == null) {
            return splitArrived;
        }
        if (fetcher == null || pending != null) {
            return CompletableFuture.completedFuture(null);
        }
        return fetcher.available();
    }

    private void logProgress() {
        long now = System.currentTimeMillis();
        if (now - loggedAt < PROGRESS_INTERVAL_MILLIS) {
            return;
        }
        LOG.info("Slot {}: emitted {} changes (+{} in {} s), restart position {}{}, queue {} batches{}",
                endpoint.slot(), emitted, emitted - loggedEmitted, (now - loggedAt) / 1000, PgLsn.of(restartLsn),
                openCommitLsn != SlotSplit.NO_OPEN_TRANSACTION ? " (inside transaction " + PgLsn.of(openCommitLsn)
                        + ")" : "", fetcher == null ? 0 : fetcher.queuedBatches(),
                "");
        loggedAt = now;
        loggedEmitted = emitted;
    }

    @Override
    public void close() throws Exception {
        if (fetcher != null) {
            fetcher.stop();
        }
    }
}
