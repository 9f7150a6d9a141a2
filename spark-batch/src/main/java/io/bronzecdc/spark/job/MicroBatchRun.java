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
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import io.bronzecdc.spark.stream.SlotSource;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
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

    /** The queries of this process ({@link #runQuery}) by slot, with their stop requests. */
    private static final Map<String, AtomicBoolean> STOP_REQUESTS = new java.util.concurrent.ConcurrentHashMap<>();

    private final PipelineConfig config;
    private final RunOptions options;
    /** The source: lock, catalog, slot, snapshot. */
    private final SourceConnections connections;
    /** Where bronze and the progress markers are written: the target, or the source again without one. */
    private final SourceConnections bronzeConnections;
    private final BronzeSchema schema;
    private final String slot;
    private List<TableId> tables = List.of();
    /** The slot source's view of the pipeline while {@link #runQuery} runs. */
    private volatile SlotSource.Pipeline query;

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
        try (Connection lock = lock()) {
            return runLocked(true).orElseThrow();
        }
    }

    /**
     * Runs the pipeline as a Structured Streaming query on the active session, holding the pipeline's lock
     * throughout: first, when bronze has no committed run or tables new since the last run match the config, a run
     * as {@link #run()} (the snapshot, or the new tables' snapshots and the stream up to now); then the query, whose
     * source is the slot ({@link SlotSource}) and whose batches this run writes ({@link #batch}). With
     * {@code Trigger.AvailableNow} the query processes what was committed when it started and the call returns (a
     * run that took a snapshot already read the stream up to its start, so then no query starts); with
     * a processing-time trigger it runs until the process stops or a batch fails, and stops and starts again (after
     * such a run) when new tables appear.
     *
     * @param checkpointLocation the query's checkpoint; bronze holds the pipeline's position, so losing it only
     *     makes the next batch read changes it then skips
     * @param onRun called with each committed run and batch
     * @throws StreamingQueryException when a batch failed with something other than the failures {@link #run()}
     *     throws, which are rethrown as they are
     */
    public void runQuery(Trigger trigger, String checkpointLocation, Consumer<RunOutcome> onRun)
            throws SQLException, InterruptedException, StreamingQueryException {
        SparkSession spark = SparkSession.active();
        AtomicBoolean stop = new AtomicBoolean();
        if (STOP_REQUESTS.putIfAbsent(slot, stop) != null) {
            throw new AnotherRunActiveException("Pipeline " + slot + ": this process already runs its query");
        }
        try (Connection lock = lock()) {
            while (true) {
                Optional<RunOutcome> prepared = runLocked(false);
                prepared.ifPresent(onRun);
                if (prepared.isPresent() && trigger.equals(Trigger.AvailableNow())) {
                    return; // that run read the stream up to now already: the query would find nothing more
                }
                AtomicBoolean lateTables = new AtomicBoolean();
                query = new SlotSource.Pipeline(config, tables, () -> {
                    if (lateTables.compareAndSet(false, true)) {
                        LOG.info("Pipeline {}: tables new since the query started match the config; stopping the"
                                + " query to bring them in", slot);
                    }
                });
                String key = SlotSource.register(query);
                CompletableFuture<String> queryId = new CompletableFuture<>();
                try {
                    StreamingQuery running = spark.readStream().format(SlotSource.class.getName())
                            .option(SlotSource.PIPELINE, key).load()
                            .writeStream().queryName("bronze-cdc " + slot)
                            .option("checkpointLocation", checkpointLocation).trigger(trigger)
                            .foreachBatch((VoidFunction2<Dataset<Row>, Long>) (rows, batchId) ->
                                    onRun.accept(batch(rows, batchId, awaitId(queryId))))
                            .start();
                    queryId.complete(running.id().toString());
                    LOG.info("Pipeline {}: query {} started (checkpoint {})", slot, running.id(), checkpointLocation);
                    while (running.isActive() && !lateTables.get() && !stop.get()) {
                        running.awaitTermination(500); // throws what made a batch fail
                    }
                    if (running.isActive()) {
                        running.stop();
                    }
                    if (!lateTables.get() || stop.get()) {
                        return;
                    }
                } catch (StreamingQueryException e) {
                    rethrowCause(e);
                    throw e;
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new IllegalStateException("the query of pipeline " + slot + " did not stop", e);
                } finally {
                    SlotSource.unregister(key);
                }
            }
        } finally {
            STOP_REQUESTS.remove(slot, stop);
        }
    }

    /**
     * Asks the query of pipeline {@code slot} running in this process ({@link #runQuery}) to stop after its current
     * batch; {@code runQuery} then returns normally. For embedding and tests; a job started by {@code spark-submit}
     * stops with its process.
     *
     * @return whether such a query was running
     */
    public static boolean requestStop(String slot) {
        AtomicBoolean stop = STOP_REQUESTS.get(slot);
        if (stop == null) {
            return false;
        }
        stop.set(true);
        return true;
    }

    /** The query's id, which the batch function can only learn after {@code start()} returned. */
    private static String awaitId(CompletableFuture<String> queryId) throws Exception {
        return queryId.get(1, TimeUnit.MINUTES);
    }

    /** Rethrows the first cause of a failed batch that {@link MicroBatchJob} maps to its own exit code. */
    private static void rethrowCause(Throwable failure) throws SQLException {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AnotherRunActiveException e) {
                throw e;
            }
            if (t instanceof PreflightException e) {
                throw e;
            }
            if (t instanceof SourceConnectionException e) {
                throw e;
            }
            if (t instanceof ContractViolationException e) {
                throw e;
            }
            if (t instanceof SQLException e) {
                throw e;
            }
        }
    }

    /**
     * Writes one batch of the query: the rows the slot source read (in {@link io.bronzecdc.spark.exec.CapturedRows}'
     * schema), sequenced and staged by tasks, published with the position and the batch's id in one bronze
     * transaction; then the slot advances. A batch bronze already holds (Spark runs a batch again after a failure
     * between the bronze commit and its commit log) writes nothing.
     */
    public RunOutcome batch(Dataset<Row> rows, long batchId, String queryId) throws SQLException {
        long started = System.nanoTime();
        try (Connection bronze = bronzeConnections.open("bronze")) {
            StagePublisher.clear(bronze, schema, slot);
            bronze.setAutoCommit(false);
            try {
                BatchProgress locked = BatchProgress.lock(bronze, schema, slot).orElseThrow(() ->
                        new ContractViolationException("Pipeline " + slot + ": bronze_batch_progress lost the row of"
                                + " slot " + slot + " while the query ran"));
                if (locked.holdsBatch(queryId, batchId)) {
                    LOG.info("Pipeline {}: batch {} of query {} is already in bronze (up to {}); writing nothing", slot,
                            batchId, queryId, locked.coveredLsn());
                    bronze.rollback();
                    advance(locked.coveredLsn());
                    return new RunOutcome(false, Map.of(), 0, locked.coveredLsn(), locked.coveredLsn(), 0,
                            Duration.ZERO, Duration.ofNanos(System.nanoTime() - started), Duration.ZERO,
                            "batch " + batchId + " already in bronze", batchId);
                }
                Map<TableId, Long> bases = new BronzeJdbcWriter(schema).lastLsn(bronze, tables);
                // The source's rows as Spark's internal rows: the write tasks read them as the source task made them.
                Staged staged = stage(bronze, "batch " + batchId, bases,
                        (spark, counters) -> rows.queryExecution().toRdd().toJavaRDD());
                StagedWrite.Summary read = staged.summary();
                PgLsn covered = PgLsn.of(read.reached());
                BatchProgress.update(bronze, schema, slot, covered, queryId, batchId);
                commit(bronze);
                Duration processing = Duration.ofNanos(System.nanoTime() - started);
                advance(covered);
                SlotSource.Pipeline running = query;
                if (running != null) {
                    running.quietAt().set(currentWal()); // the WAL this batch wrote itself is no reason for another
                }
                RunOutcome outcome = new RunOutcome(false, staged.appended(tables), read.skipped(),
                        locked.coveredLsn(), covered, read.messages(), Duration.ZERO, processing, staged.writing(),
                        staged.placement(), batchId);
                LOG.info("Pipeline {}: {}", slot, outcome.summary());
                return outcome;
            } finally {
                rollbackQuietly(bronze);
            }
        }
    }

    private void advance(PgLsn covered) throws SQLException {
        try (Connection advance = connections.open("advance")) {
            SlotPeek.advance(advance, slot, covered);
        }
        options.hooks().at(RunPoint.SLOT_ADVANCED);
    }

    private PgLsn currentWal() throws SQLException {
        try (Connection c = connections.open("wal position")) {
            return SlotPeek.currentWal(c);
        }
    }

    /** The pipeline's lock, on a connection the caller closes. */
    private Connection lock() throws SQLException, InterruptedException {
        Connection lock = connectWithRetries(connections, "lock");
        if (!PipelineLock.tryAcquire(lock, slot)) {
            Integer holder = PipelineLock.holder(lock, slot);
            lock.close();
            throw new AnotherRunActiveException("Another run of pipeline " + slot + " is active (backend "
                    + (holder == null ? "unknown" : holder) + " holds its advisory lock in database "
                    + config.source().database() + "); this run wrote nothing and exits. Runs of one pipeline"
                    + " never overlap: wait for the other run to finish, or let the scheduler try again");
        }
        return lock;
    }

    /**
     * A run under the lock: the snapshot when bronze has no committed run, else the new tables' snapshots and the
     * stream up to now; when {@code always} is false, only if there is a snapshot or a new table to take (the
     * checks and migrations run either way).
     */
    private Optional<RunOutcome> runLocked(boolean always) throws SQLException, InterruptedException {
        long started = System.nanoTime();
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
            if (!always && progress.isPresent() && late.isEmpty()) {
                return Optional.empty();
            }
            Duration preparation = Duration.ofNanos(System.nanoTime() - started);
            RunOutcome outcome = progress.isEmpty() ? snapshotRun(source, bronze, slotState, preparation)
                    : streamRun(source, bronze, slotState, progress.get(), late, preparation);
            if (!late.isEmpty()) {
                List<TableId> all = new ArrayList<>(tables);
                late.stream().filter(t -> outcome.appended().containsKey(t)).forEach(all::add);
                tables = List.copyOf(all);
            }
            LOG.info("Pipeline {}: {}", slot, outcome.summary());
            return Optional.of(outcome);
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
                    staged.writing(), staged.placement(), null);
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
            advance(covered);
            Map<TableId, Long> appended = new LinkedHashMap<>(staged.appended(captured));
            appender.appended().forEach((table, rows) -> appended.merge(table, rows, Long::sum));
            return new RunOutcome(false, appended, read.skipped(), locked.coveredLsn(), covered, read.messages(),
                    preparation, processing, staged.writing().plus(appender.writeTime()), staged.placement(), null);
        } finally {
            rollbackQuietly(bronze);
        }
    }

    /** Builds a run's captured rows as Spark work ({@link io.bronzecdc.spark.exec.CapturedRows}). */
    @FunctionalInterface
    private interface Capture {
        JavaRDD<InternalRow> rows(SparkSession spark, WorkPlacement.Counters counters);
    }

    /**
     * Runs the Spark job that reads (by {@code capture}), numbers and stages the rows in the same tasks, then
     * publishes them from {@code bases} into the caller's open bronze transaction.
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
            results = StagedWrite.run(capture.rows(spark, placement.counters()),
                    new StagedWrite.Target(Endpoint.bronze(config), schema.name(), slot, runId), placement.counters());
        } finally {
            spark.sparkContext().setJobDescription(null);
            placement.close();
        }
        long staged = System.nanoTime();
        options.hooks().at(RunPoint.CHUNK_WRITTEN);
        Map<TableId, Long> published = new StagePublisher(schema, slot, runId).publish(bronze, results, bases);
        LOG.info("Pipeline {}: {}; read and staged by {} tasks in {} ms, published in {} ms", slot,
                placement.describe(), results.size(), (staged - started) / 1_000_000,
                (System.nanoTime() - staged) / 1_000_000);
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
