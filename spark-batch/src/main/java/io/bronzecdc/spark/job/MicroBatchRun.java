package io.bronzecdc.spark.job;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.bronze.BronzeLogs;
import io.bronzecdc.model.bronze.BronzeMigrator;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.bronze.BronzeJdbcWriter;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.PgTypeCatalog;
import io.bronzecdc.model.source.SourceCatalog;
import io.bronzecdc.model.source.SnapshotHandover;
import io.bronzecdc.model.source.SnapshotChunk;
import io.bronzecdc.model.source.SnapshotPlan;
import io.bronzecdc.model.postgres.SqlNames;
import io.bronzecdc.spark.preflight.BatchPreflight;
import io.bronzecdc.spark.preflight.PreflightException;
import io.bronzecdc.model.source.ExportedSnapshot;
import io.bronzecdc.spark.source.SlotPeek;
import io.bronzecdc.spark.source.SlotState;
import io.bronzecdc.model.postgres.ConnectionFailure;
import io.bronzecdc.model.postgres.SourceConnectionException;
import io.bronzecdc.model.postgres.SourceConnections;
import io.bronzecdc.spark.exec.Endpoint;
import io.bronzecdc.spark.exec.SnapshotTasks;
import io.bronzecdc.spark.exec.StagePublisher;
import io.bronzecdc.spark.exec.StagedWrite;
import io.bronzecdc.spark.exec.StreamTask;
import io.bronzecdc.spark.exec.WorkPlacement;
import io.bronzecdc.spark.write.BatchProgress;
import io.bronzecdc.spark.write.BronzeAppender;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One micro-batch of one pipeline: lock, preflight, then either the first run (create the slot with an exported
 * snapshot, read the tables in that snapshot) or a stream run (peek the slot up to the current WAL position,
 * decode, skip what bronze holds; a table bronze never captured is first brought in by its own snapshot,
 * {@link NewTables}). Either way the bronze rows and the pipeline's new position commit in one
 * transaction of the database bronze is written to (the {@code target:} database, or the source), and only after
 * that commit does the slot on the source advance; so a run that dies at any point leaves bronze
 * either untouched or complete, and the next run continues with no duplicate and no gap.
 */
public final class MicroBatchRun {
    private static final Logger LOG = LoggerFactory.getLogger(MicroBatchRun.class);

    private final PipelineConfig config;
    private final RunOptions options;
    /** The source: lock, catalog, slot, snapshot. */
    private final SourceConnections connections;
    /** Where bronze and the progress markers are written: the target, or the source again without one. */
    private final SourceConnections bronzeConnections;
    private final BronzeSchema schema;
    private final String slot;
    private List<TableId> tables = List.of();

    public MicroBatchRun(PipelineConfig config, RunOptions options) {
        this.config = config;
        this.options = options;
        this.connections = SourceConnections.of(config.source(), "spark");
        this.bronzeConnections = SourceConnections.target(config, "spark");
        this.schema = new BronzeSchema(config.bronze().schema());
        this.slot = config.source().slotName();
    }

    /**
     * Runs the micro-batch.
     *
     * @throws AnotherRunActiveException when another run of this pipeline is active (nothing was written)
     * @throws io.bronzecdc.spark.preflight.PreflightException when the source cannot feed the pipeline
     * @throws SourceConnectionException when the source cannot be reached (after the retries, for a reason worth
     *     retrying); its message names the config key to fix
     * @throws ContractViolationException when bronze and the slot disagree in a way that would lose or double data
     */
    public RunOutcome run() throws SQLException, InterruptedException {
        long started = System.nanoTime();
        try (Connection lock = connectWithRetries(connections, "lock")) {
            if (!PipelineLock.tryAcquire(lock, slot)) {
                Integer holder = PipelineLock.holder(lock, slot);
                throw new AnotherRunActiveException("Another run of pipeline " + slot + " is active (backend "
                        + (holder == null ? "unknown" : holder) + " holds its advisory lock in database "
                        + config.source().database() + "); this run wrote nothing and exits. Runs of one pipeline"
                        + " never overlap: wait for the other run to finish, or let the scheduler try again");
            }
            try (Connection source = connections.open("catalog");
                    Connection bronze = connectWithRetries(bronzeConnections, "bronze")) {
                // Resolved at every run, so a table created since the last run that matches tables.include is captured.
                List<TableId> resolved = config.tables().resolve(source, schema.name(), "for slot " + slot);
                // After the first committed run, a table bronze never captured is brought in by its own snapshot
                // (streamRun); the checks and migrations below cover the tables bronze already captures.
                Set<TableId> known = hasCommittedRun(bronze) ? BronzeMigrator.capturedTables(bronze, schema) : Set.of();
                List<TableId> late = known.isEmpty() ? List.of()
                        : resolved.stream().filter(t -> !known.contains(t)).toList();
                tables = resolved.stream().filter(t -> !late.contains(t)).toList();
                LOG.info("Pipeline {}: capturing {} tables: {}{}", slot, tables.size(), tables,
                        late.isEmpty() ? "" : "; new since the last run: " + late);
                Optional<SlotState> slotState = new BatchPreflight(config, tables).run(source, bronze);
                slotState.ifPresent(s -> LOG.info("Pipeline {}: slot confirmed up to {}, retaining {} bytes of WAL",
                        slot, s.confirmedFlush(), s.retainedWalBytes()));
                BronzeMigrator.migrate(bronze, schema, tables);
                Optional<BatchProgress> progress = BatchProgress.read(bronze, schema, slot);
                progress.ifPresent(p -> LOG.info("Pipeline {}: bronze covers up to {} ({} runs, last commit {})",
                        slot, p.coveredLsn(), p.runs(), p.updatedAt()));
                Duration preparation = Duration.ofNanos(System.nanoTime() - started);
                RunOutcome outcome = progress.isEmpty() ? snapshotRun(source, bronze, slotState, preparation)
                        : streamRun(source, bronze, slotState, progress.get(), late, preparation);
                LOG.info("Pipeline {}: {}", slot, outcome.summary());
                return outcome;
            }
        }
    }

    private RunOutcome snapshotRun(Connection source, Connection bronze, Optional<SlotState> slotState,
            Duration preparation) throws SQLException {
        long started = System.nanoTime();
        requireEmptyBronze(bronze);
        if (slotState.isPresent()) {
            // No committed run: an earlier first run died before its bronze commit. Its exported snapshot is gone
            // with its connection, so the slot cannot be matched with a snapshot any more; bronze is empty, so
            // recreating the slot loses nothing.
            LOG.warn("Pipeline {}: slot {} exists but bronze has no committed run of it (an earlier first run died"
                    + " before its commit): dropping and recreating it with a new snapshot", slot, slot);
            try (Statement s = source.createStatement()) {
                s.execute("SELECT pg_drop_replication_slot('" + slot + "')");
            }
        }
        StagePublisher.clear(bronze, schema, slot);
        bronze.setAutoCommit(false);
        try (ExportedSnapshot exported = ExportedSnapshot.createSlot(connections, config.source());
                Connection planner = connections.open("snapshot plan")) {
            exported.importInto(planner);
            options.hooks().at(RunPoint.SNAPSHOT_IMPORTED);
            List<SnapshotChunk> chunks = SnapshotPlan.chunks(planner, tables, options.snapshotChunkPages());
            planner.rollback();
            LOG.info("Pipeline {}: reading the snapshot of {} tables in {} chunks as Spark tasks", slot,
                    tables.size(), chunks.size());
            Map<TableId, Long> bases = new LinkedHashMap<>();
            tables.forEach(t -> bases.put(t, 0L));
            Staged staged = stage(bronze, "snapshot", bases, (spark, counters) -> SnapshotTasks.rows(spark,
                    Endpoint.source(config), exported.snapshotName(), exported.consistentPoint(), chunks, counters));
            BatchProgress.insertSnapshot(bronze, schema, slot, exported.consistentPoint());
            commit(bronze);
            return new RunOutcome(true, staged.appended(tables), 0, exported.consistentPoint(),
                    exported.consistentPoint(), 0, preparation, Duration.ofNanos(System.nanoTime() - started),
                    staged.writing(), staged.placement());
        } finally {
            rollbackQuietly(bronze);
        }
    }

    private RunOutcome streamRun(Connection source, Connection bronze, Optional<SlotState> slotState,
            BatchProgress progress, List<TableId> late, Duration preparation) throws SQLException {
        long started = System.nanoTime();
        SlotState state = slotState.orElseThrow(() -> new ContractViolationException("Pipeline " + slot
                + ": bronze schema " + schema + " covers the source up to " + progress.coveredLsn() + " but replication"
                + " slot " + slot + " does not exist, so the changes committed since then are lost to this pipeline."
                + " A new slot would silently skip them. Rebuild: drop the bronze tables of " + schema + " (or use a"
                + " new bronze.schema) and run again, which takes a new snapshot"));
        if (state.confirmedFlush().compareTo(progress.coveredLsn()) > 0) {
            throw new ContractViolationException("Pipeline " + slot + ": slot " + slot + " was confirmed up to "
                    + state.confirmedFlush() + " but bronze covers only up to " + progress.coveredLsn() + ", so the"
                    + " changes in between were consumed by another reader and are missing from bronze. Give each"
                    + " consumer its own slot; rebuild this pipeline's bronze tables from a new snapshot");
        }
        StagePublisher.clear(bronze, schema, slot);
        bronze.setAutoCommit(false);
        try {
            BatchProgress locked = BatchProgress.lock(bronze, schema, slot).orElseThrow();
            if (!locked.coveredLsn().equals(progress.coveredLsn())) {
                throw new AnotherRunActiveException("Pipeline " + slot + ": bronze moved from "
                        + progress.coveredLsn() + " to " + locked.coveredLsn() + " while this run prepared, so"
                        + " another writer is active; this run wrote nothing");
            }
            BronzeAppender appender = new BronzeAppender(bronze, schema, tables, options.chunkSize(),
                    options.hooks());
            // New tables first: each snapshot must be taken before the bound, so that every transaction it holds
            // commits inside this run's peek, where its handover drops them. Their snapshot rows are written by the
            // driver, into this run's open transaction.
            Map<TableId, SnapshotHandover> handovers = new NewTables(config, connections, schema, options.hooks())
                    .bringIn(source, bronze, appender, late);
            appender.flush();
            List<TableId> captured = new ArrayList<>(tables);
            captured.addAll(handovers.keySet());
            PgLsn bound = SlotPeek.boundAndMark(source);
            for (SnapshotHandover handover : handovers.values()) {
                if (bound.compareTo(handover.lsn()) < 0) {
                    bound = handover.lsn(); // WAL written but not yet flushed when the bound was read
                }
            }
            Map<TableId, Long> bases = new BronzeJdbcWriter(schema).lastLsn(bronze, captured);
            StreamTask.Spec spec = new StreamTask.Spec(Endpoint.source(config), slot,
                    config.source().publicationName(), captured, locked.coveredLsn().asLong(), bound.asLong(),
                    new HashMap<>(handovers));
            Staged staged = stage(bronze, "stream up to " + bound, bases,
                    (spark, counters) -> StreamTask.rows(spark, spec, counters));
            StagedWrite.Summary read = staged.summary();
            if (read.heldBySnapshots() > 0) {
                LOG.info("Pipeline {}: dropped {} streamed changes of new tables that their snapshots hold", slot,
                        read.heldBySnapshots());
            }
            PgLsn covered = PgLsn.of(read.reached());
            if (!covered.equals(locked.coveredLsn())) {
                BatchProgress.update(bronze, schema, slot, covered);
            }
            commit(bronze);
            Duration processing = Duration.ofNanos(System.nanoTime() - started);
            try (Connection advance = connections.open("advance")) {
                SlotPeek.advance(advance, slot, covered);
            }
            options.hooks().at(RunPoint.SLOT_ADVANCED);
            Map<TableId, Long> appended = new LinkedHashMap<>(staged.appended(captured));
            appender.appended().forEach((table, rows) -> appended.merge(table, rows, Long::sum));
            return new RunOutcome(false, appended, read.skipped(), locked.coveredLsn(), covered, read.messages(),
                    preparation, processing, staged.writing().plus(appender.writeTime()), staged.placement());
        } finally {
            rollbackQuietly(bronze);
        }
    }

    /** Builds a run's captured rows as Spark work. */
    @FunctionalInterface
    private interface Capture {
        Dataset<Row> rows(SparkSession spark, WorkPlacement.Counters counters);
    }

    /**
     * Runs the Spark job that reads (by {@code capture}), sequences from {@code bases} and stages the rows, then
     * publishes them into the caller's open bronze transaction.
     */
    private Staged stage(Connection bronze, String what, Map<TableId, Long> bases, Capture capture)
            throws SQLException {
        SparkSession spark = SparkSession.active();
        String runId = UUID.randomUUID().toString();
        WorkPlacement placement = WorkPlacement.start(spark.sparkContext());
        List<StagedWrite.TaskResult> results;
        long started = System.nanoTime();
        try {
            options.hooks().at(RunPoint.CHUNK_DECODED);
            spark.sparkContext().setJobDescription("bronze-cdc " + slot + ": " + what + ", sequence and stage");
            results = StagedWrite.run(spark, capture.rows(spark, placement.counters()), bases,
                    new StagedWrite.Target(Endpoint.bronze(config), schema.name(), slot, runId),
                    placement.counters());
        } finally {
            spark.sparkContext().setJobDescription(null);
            placement.close();
        }
        options.hooks().at(RunPoint.CHUNK_WRITTEN);
        Map<TableId, Long> published = new StagePublisher(schema, slot, runId).publish(bronze, results, bases);
        LOG.info("Pipeline {}: {}", slot, placement.describe());
        return new Staged(published, results, Duration.ofNanos(System.nanoTime() - started), placement.describe());
    }

    /** What {@link #stage} published. */
    private record Staged(Map<TableId, Long> published, List<StagedWrite.TaskResult> results, Duration writing,
            String placement) {
        /** Rows per table, 0 for each of {@code tables} without rows. */
        Map<TableId, Long> appended(List<TableId> tables) {
            Map<TableId, Long> appended = new LinkedHashMap<>();
            tables.forEach(t -> appended.put(t, 0L));
            published.forEach((table, rows) -> appended.merge(table, rows, Long::sum));
            return appended;
        }

        /** The stream task's summary. */
        StagedWrite.Summary summary() {
            return results.stream().map(StagedWrite.TaskResult::summary).filter(java.util.Objects::nonNull)
                    .reduce((a, b) -> {
                        throw new IllegalStateException("two stream summaries in one run");
                    }).orElseThrow(() -> new IllegalStateException("the stream task reported no summary"));
        }
    }

    private boolean hasCommittedRun(Connection bronze) throws SQLException {
        try (Statement s = bronze.createStatement(); ResultSet rs = s.executeQuery("SELECT to_regclass("
                + SqlNames.literal(schema.quoted("bronze_batch_progress")) + ") IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return false;
            }
        }
        return BatchProgress.read(bronze, schema, slot).isPresent();
    }

    private void commit(Connection bronze) throws SQLException {
        options.hooks().at(RunPoint.BEFORE_COMMIT);
        bronze.commit();
        options.hooks().at(RunPoint.COMMITTED);
    }

    private void requireEmptyBronze(Connection bronze) throws SQLException {
        Map<TableId, Long> written = BronzeLogs.nonEmpty(bronze, schema, tables);
        if (!written.isEmpty()) {
            Map.Entry<TableId, Long> first = written.entrySet().iterator().next();
            throw new ContractViolationException("Pipeline " + slot + ": " + schema.displayTableOf(first.getKey())
                    + " holds lsn 1.." + first.getValue() + " but bronze_batch_progress has no committed run of slot "
                    + slot + ", so another pipeline (or another slot name) wrote them; a snapshot now would"
                    + " duplicate them. Give this pipeline its own bronze.schema");
        }
    }

    /**
     * The run's first connection, retried while the source cannot be reached for a reason waiting can cure (a
     * refused connection, a timeout, a server starting up). A wrong password, an unknown database, host or role,
     * or an SSL mismatch is not retried: the {@link SourceConnectionException} says which config key to fix.
     */
    private Connection connectWithRetries(SourceConnections database, String purpose)
            throws SQLException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                return database.open(purpose);
            } catch (SourceConnectionException e) {
                if (!e.reason().retryable()) {
                    throw e;
                }
                if (attempt >= options.connectRetries()) {
                    throw new SourceConnectionException(new ConnectionFailure(e.reason(), e.getMessage() + ". Gave up"
                            + " after " + (attempt + 1) + " attempt(s); raise --retries or --retry-delay to wait out"
                            + " longer outages"), e.getCause());
                }
                LOG.warn("Database not reachable, retry {} of {} in {}: {}", attempt + 1, options.connectRetries(),
                        options.retryDelay(), e.getMessage());
                Thread.sleep(options.retryDelay().toMillis());
            }
        }
    }

    private static void rollbackQuietly(Connection connection) throws SQLException {
        if (!connection.isClosed() && !connection.getAutoCommit()) {
            connection.rollback();
            connection.setAutoCommit(true);
        }
    }
}
