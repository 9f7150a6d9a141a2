package io.bronzecdc.flink;

import static io.bronzecdc.flink.testing.PipelineUnderTest.TABLES;
import static io.bronzecdc.flink.testing.PipelineUnderTest.committedChanges;
import static io.bronzecdc.flink.testing.PipelineUnderTest.plus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bronzecdc.flink.sink.JdbcTarget;
import io.bronzecdc.flink.source.CapturedChange;
import io.bronzecdc.flink.testing.BackgroundWorkload;
import io.bronzecdc.flink.testing.PipelineUnderTest;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.SourceConnector;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.LongRuns;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.testkit.pagila.PagilaGenerator;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acceptance item 7: the job fails at a random record of the initial snapshot or of the live stream (under a
 * running workload), recovers from its latest completed checkpoint, and bronze ends exactly as if nothing had
 * happened: exact counts (0 lost, 0 duplicated), lsn dense, streamed changes in commit order, replay equal to the
 * source, and nothing more arrives afterwards.
 *
 * <p>Two kinds of failure, each in both phases and with several seeds (the seed picks the data, the failing
 * record and the workload):
 * <ul>
 *   <li><b>task failure</b>: an operator between source and sequencer throws once; the restart strategy restarts
 *       the job inside the same cluster from the latest checkpoint;
 *   <li><b>whole-job restart</b>: the job is stopped at that record and cancelled (checkpoints retained), then a
 *       new job on the same slot and bronze schema starts from the latest completed checkpoint directory.
 * </ul>
 * The failure point is a record count, and the injector only fires once a checkpoint covering records of the
 * phase has completed in the failing run: a failure before that restores the state of the previous phase. The
 * pgoutput source emits its whole snapshot between two checkpoints (see {@code SlotReader}), so there no checkpoint
 * covers part of a snapshot: its snapshot failures fire at the record without waiting for one, and the job then
 * takes its snapshot again from a recreated slot.
 *
 * <p>Runs with the pgoutput source; {@link FailureRecoveryFlinkCdcIT} runs it with the Flink CDC source.
 */
class FailureRecoveryIT {
    private static final Logger LOG = LoggerFactory.getLogger(FailureRecoveryIT.class);
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    /** Large enough that the snapshot lasts for several checkpoints at 200 ms. */
    private static final PagilaGenerator.Counts SNAPSHOT_ROWS = new PagilaGenerator.Counts(599, 20_000, 16_000);
    /** The streaming phase only needs a source to change. */
    private static final PagilaGenerator.Counts STREAM_ROWS = new PagilaGenerator.Counts(599, 3_000, 3_000);
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(200);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final List<String> databases = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();

    /** The source the job reads the slot with. */
    SourceConnector connector() {
        return SourceConnector.PGOUTPUT;
    }

    @AfterEach
    void cleanUp() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable resource : resources) {
            resource.close();
        }
        for (String database : databases) {
            dropDatabase(database);
        }
    }

    @ParameterizedTest(name = "seed {0}, parallelism {1}")
    @CsvSource({"11, 2", "29, 1"})
    void shouldRecoverFromATaskFailureDuringTheSnapshot(long seed, int parallelism, @TempDir Path checkpoints)
            throws Exception {
        if (seed != 11 && connector() == SourceConnector.PGOUTPUT) { // the Flink CDC subclass runs one case each
            LongRuns.onlyInLongRuns("seed " + seed + ", parallelism " + parallelism);
        }
        Scenario scenario = new Scenario("snapshot-task-" + seed, seed, SNAPSHOT_ROWS);
        Map<TableId, Long> snapshot = scenario.sourceCounts();
        long failAt = new SplittableRandom(seed).nextLong(1, total(snapshot));
        FailureInjector injector = scenario.injector(Phase.SNAPSHOT, failAt, Action.THROW);
        PipelineUnderTest pipeline = scenario.start(parallelism, injector, restartingConfiguration(checkpoints));

        Trigger trigger = injector.trigger();
        await("the injected task failure").atMost(WAIT).until(trigger::fired);
        assertThat(trigger.firedOn()).as("failed on a snapshot record").isEqualTo(Phase.SNAPSHOT);
        pipeline.awaitBronzeCounts(snapshot);
        assertThat(trigger.opened()).as("every injector subtask opened again after the restart")
                .isEqualTo(2 * scenario.sourceParallelism(parallelism));
        scenario.assertValid(pipeline, List.of());

        List<CommittedTransaction> committed = scenario.workload().run(scenario.connection(), 100);
        Map<TableId, Long> expected = plus(snapshot, committed);
        pipeline.awaitBronzeCounts(expected);
        scenario.assertValid(pipeline, committed);
        pipeline.assertNothingMoreArrives(expected, Duration.ofSeconds(1));
    }

    @ParameterizedTest(name = "seed {0}, parallelism {1}")
    @CsvSource({"13, 2", "31, 1"})
    void shouldContinueExactlyFromTheLatestCheckpointAfterTheJobIsCancelledDuringTheSnapshot(long seed,
            int parallelism, @TempDir Path checkpoints) throws Exception {
        if (seed != 31 && connector() == SourceConnector.PGOUTPUT) { // the Flink CDC subclass runs one case each
            LongRuns.onlyInLongRuns("seed " + seed + ", parallelism " + parallelism);
        }
        Scenario scenario = new Scenario("snapshot-job-" + seed, seed, SNAPSHOT_ROWS);
        Map<TableId, Long> snapshot = scenario.sourceCounts();
        long stopAt = new SplittableRandom(seed).nextLong(1, total(snapshot));
        FailureInjector injector = scenario.injector(Phase.SNAPSHOT, stopAt, Action.STOP);
        PipelineUnderTest first = scenario.start(parallelism, injector, retainingWithoutRestarts(checkpoints));

        Trigger trigger = injector.trigger();
        await("the job stopped at its record").atMost(WAIT).until(trigger::fired);
        assertThat(trigger.firedOn()).as("stopped on a snapshot record").isEqualTo(Phase.SNAPSHOT);
        Optional<Path> latest = cancelAndFindCheckpoint(scenario, first, checkpoints);
        assertThat(total(first.bronzeCounts())).as("the cancel interrupted the snapshot")
                .isLessThan(total(snapshot));
        if (connector() == SourceConnector.FLINK_CDC) {
            assertThat(latest).as("a completed checkpoint retained under " + checkpoints).isPresent();
        }

        // The pgoutput source has no checkpoint inside its snapshot: it starts again without state, or from a
        // checkpoint taken before the snapshot, and takes the snapshot again.
        PipelineUnderTest second = scenario.start(parallelism, injector, latest.isPresent()
                ? restoring(checkpoints, latest.get()) : retainingWithoutRestarts(checkpoints));
        second.awaitBronzeCounts(snapshot);
        scenario.assertValid(second, List.of());

        List<CommittedTransaction> committed = scenario.workload().run(scenario.connection(), 100);
        Map<TableId, Long> expected = plus(snapshot, committed);
        second.awaitBronzeCounts(expected);
        scenario.assertValid(second, committed);
        second.assertNothingMoreArrives(expected, Duration.ofSeconds(1));
    }

    @ParameterizedTest(name = "seed {0}, parallelism {1}")
    @CsvSource({"17, 1", "37, 2"})
    void shouldRecoverFromATaskFailureWhileStreamingUnderLoad(long seed, int parallelism, @TempDir Path checkpoints)
            throws Exception {
        if (seed != 17 && connector() == SourceConnector.PGOUTPUT) { // the Flink CDC subclass runs one case each
            LongRuns.onlyInLongRuns("seed " + seed + ", parallelism " + parallelism);
        }
        Scenario scenario = new Scenario("stream-task-" + seed, seed, STREAM_ROWS);
        Map<TableId, Long> snapshot = scenario.sourceCounts();
        long failAt = new SplittableRandom(seed).nextLong(100, 1_500);
        FailureInjector injector = scenario.injector(Phase.STREAM, failAt, Action.THROW);
        PipelineUnderTest pipeline = scenario.start(parallelism, injector, restartingConfiguration(checkpoints));
        pipeline.awaitBronzeCounts(snapshot);

        BackgroundWorkload workload = scenario.startWorkload();
        Trigger trigger = injector.trigger();
        await("the injected task failure").atMost(WAIT).until(trigger::fired);
        assertThat(trigger.firedOn()).as("failed on a streamed record").isEqualTo(Phase.STREAM);
        awaitStreamingAgain(pipeline, workload);
        List<CommittedTransaction> committed = workload.stop();
        assertThat(trigger.opened()).as("every injector subtask opened again after the restart")
                .isEqualTo(2 * scenario.sourceParallelism(parallelism));

        Map<TableId, Long> expected = plus(snapshot, committed);
        pipeline.awaitBronzeCounts(expected);
        scenario.assertValid(pipeline, committed);
        pipeline.assertNothingMoreArrives(expected, Duration.ofSeconds(1));
    }

    /**
     * Large transactions (every payment updated, three times): checkpoints fall inside them, and the task fails in
     * the middle of one after such a checkpoint completed. The restored job resends that transaction and must skip
     * exactly the changes the checkpoint already covers (the pgoutput source keeps the transaction and the last
     * emitted change in its state).
     */
    @ParameterizedTest(name = "seed {0}, parallelism {1}")
    @CsvSource({"47, 2"})
    void shouldRecoverFromATaskFailureInsideALargeTransaction(long seed, int parallelism, @TempDir Path checkpoints)
            throws Exception {
        Scenario scenario = new Scenario("stream-large-" + seed, seed, SNAPSHOT_ROWS);
        Map<TableId, Long> snapshot = scenario.sourceCounts();
        long payments = snapshot.get(TableId.of("payment"));
        long failAt = new SplittableRandom(seed).nextLong(payments / 2, 2 * payments);
        FailureInjector injector = scenario.injector(Phase.STREAM, failAt, Action.THROW);
        PipelineUnderTest pipeline = scenario.start(parallelism, injector, restartingConfiguration(checkpoints));
        pipeline.awaitBronzeCounts(snapshot);

        try (Statement s = scenario.connection().createStatement()) {
            for (int i = 0; i < 3; i++) {
                s.execute("UPDATE payment SET amount = amount + 0.01");
            }
        }
        Trigger trigger = injector.trigger();
        await("the injected task failure").atMost(WAIT).until(trigger::fired);
        assertThat(trigger.firedOn()).as("failed on a streamed record").isEqualTo(Phase.STREAM);
        Map<TableId, Long> expected = new java.util.LinkedHashMap<>(snapshot);
        expected.merge(TableId.of("payment"), 3 * payments, Long::sum);
        pipeline.awaitBronzeCounts(expected);
        assertThat(trigger.opened()).as("every injector subtask opened again after the restart")
                .isEqualTo(2 * scenario.sourceParallelism(parallelism));
        assertThat(BronzeValidator.validate(scenario.connection(), BronzeSchema.defaultSchema(), TABLES,
                ValidationOptions.defaults().withCommitTimeTolerance(Duration.ZERO)).violations())
                .as("validation of " + scenario.id).isEmpty();
        pipeline.assertNothingMoreArrives(expected, Duration.ofSeconds(1));
    }

    /**
     * The sharpest moment of exactly once: the sink has written (Flink CDC source: prepared; pgoutput source:
     * committed) changes for a checkpoint that then never completes, and the task fails. With prepared transactions
     * the restore must roll that transaction back (its rows are replayed) and commit the one of the checkpoint it
     * restores, if still pending. With the pgoutput source's sink bronze then holds changes that the restored
     * checkpoint does not cover: the replay must skip exactly those, and no transaction is ever prepared.
     */
    @ParameterizedTest(name = "seed {0}, parallelism {1}")
    @CsvSource({"23, 1", "43, 2"})
    void shouldRecoverFromAFailureBetweenTheSinksWriteAndTheCheckpointsCompletion(long seed, int parallelism,
            @TempDir Path checkpoints) throws Exception {
        if (seed != 43 && connector() == SourceConnector.PGOUTPUT) { // the Flink CDC subclass runs one case each
            LongRuns.onlyInLongRuns("seed " + seed + ", parallelism " + parallelism);
        }
        Scenario scenario = new Scenario("stream-prepared-" + seed, seed, STREAM_ROWS);
        Map<TableId, Long> snapshot = scenario.sourceCounts();
        long failAt = new SplittableRandom(seed).nextLong(100, 1_500);
        FailureInjector injector = scenario.injector(Phase.STREAM, failAt, Action.FAIL_AFTER_PREPARE);
        PipelineUnderTest pipeline = scenario.start(parallelism, injector, restartingConfiguration(checkpoints));
        pipeline.awaitBronzeCounts(snapshot);

        BackgroundWorkload workload = scenario.startWorkload();
        Trigger trigger = injector.trigger();
        await("the injected failure after the sink wrote for a checkpoint").atMost(WAIT).until(trigger::fired);
        awaitStreamingAgain(pipeline, workload);
        List<CommittedTransaction> committed = workload.stop();
        assertThat(trigger.opened()).as("every injector subtask opened again after the restart")
                .isEqualTo(2 * scenario.sourceParallelism(parallelism));
        if (connector() == SourceConnector.FLINK_CDC) {
            assertThat(trigger.pendingAtFailure).as("transactions prepared when the task failed").isNotEmpty();
            Map<Long, String> outcome = transactionStatus(scenario, trigger.pendingAtFailure);
            assertThat(outcome).as("outcome of the transactions prepared when the task failed")
                    .doesNotContainValue("in progress").containsValue("aborted");
        } else {
            assertThat(trigger.bronzeAheadAtFailure.get()).as("changes bronze held beyond what it held when the"
                    + " checkpoint the job restored completed").isPositive();
            assertThat(scenario.preparedTransactions()).as("prepared transactions of the pgoutput source's sink")
                    .isZero();
        }

        Map<TableId, Long> expected = plus(snapshot, committed);
        pipeline.awaitBronzeCounts(expected);
        scenario.assertValid(pipeline, committed);
        pipeline.assertNothingMoreArrives(expected, Duration.ofSeconds(1));
    }

    @ParameterizedTest(name = "seed {0}, parallelism {1}")
    @CsvSource({"19, 1", "41, 2"})
    void shouldContinueExactlyFromTheLatestCheckpointAfterTheJobIsCancelledWhileStreamingUnderLoad(long seed,
            int parallelism, @TempDir Path checkpoints) throws Exception {
        if (seed != 19 && connector() == SourceConnector.PGOUTPUT) { // the Flink CDC subclass runs one case each
            LongRuns.onlyInLongRuns("seed " + seed + ", parallelism " + parallelism);
        }
        Scenario scenario = new Scenario("stream-job-" + seed, seed, STREAM_ROWS);
        Map<TableId, Long> snapshot = scenario.sourceCounts();
        long stopAt = new SplittableRandom(seed).nextLong(100, 1_500);
        FailureInjector injector = scenario.injector(Phase.STREAM, stopAt, Action.STOP);
        PipelineUnderTest first = scenario.start(parallelism, injector, retainingWithoutRestarts(checkpoints));
        first.awaitBronzeCounts(snapshot);

        BackgroundWorkload workload = scenario.startWorkload();
        Trigger trigger = injector.trigger();
        await("the job stopped at its record").atMost(WAIT).until(trigger::fired);
        assertThat(trigger.firedOn()).as("stopped on a streamed record").isEqualTo(Phase.STREAM);
        Path latest = cancelAndFindLatestCheckpoint(scenario, first, checkpoints);
        long committedWhileDown = workload.committed();

        PipelineUnderTest second = scenario.start(parallelism, injector, restoring(checkpoints, latest));
        await("the workload still runs while the new job starts").atMost(WAIT)
                .until(() -> workload.committed() > committedWhileDown);
        awaitStreamingAgain(second, workload);
        List<CommittedTransaction> committed = workload.stop();

        Map<TableId, Long> expected = plus(snapshot, committed);
        second.awaitBronzeCounts(expected);
        scenario.assertValid(second, committed);
        second.assertNothingMoreArrives(expected, Duration.ofSeconds(1));
    }

    /** One test's database, source data, pipeline config and failure trigger. */
    private final class Scenario {
        private final String id;
        private final long seed;
        private final String database;
        private final PipelineConfig config;
        private final ChangeWorkload workload;
        private final Connection connection;

        Scenario(String id, long seed, PagilaGenerator.Counts rows) throws SQLException {
            this.id = id;
            this.seed = seed;
            this.database = POSTGRES.newDatabase("r" + DATABASES.incrementAndGet());
            databases.add(database);
            this.connection = POSTGRES.connect(database);
            resources.add(connection);
            SourceSchema.create(connection);
            PagilaLoader.loadGenerated(connection, new PagilaGenerator(seed, rows));
            this.config = PipelineUnderTest.config(POSTGRES.server(), database, "it_recover",
                    BronzeSchema.DEFAULT_NAME, CHECKPOINT_INTERVAL).withConnector(connector());
            this.workload = new ChangeWorkload(seed, 5);
        }

        FailureInjector injector(Phase phase, long atRecord, Action action) {
            Trigger trigger = new Trigger();
            Trigger.ALL.put(id, trigger);
            resources.add(() -> {
                trigger.release.countDown();
                Trigger.ALL.remove(id);
            });
            boolean afterCheckpoint = phase != Phase.SNAPSHOT || connector() != SourceConnector.PGOUTPUT;
            return new FailureInjector(id, phase, atRecord, action, afterCheckpoint, JdbcTarget.of(config),
                    "bronze-cdc:" + BronzeCdcJob.sinkId(config) + ":", connector());
        }

        /** Prepared transactions in the test's database. */
        long preparedTransactions() throws SQLException {
            try (Statement s = connection().createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT count(*) FROM pg_prepared_xacts WHERE database = current_database()")) {
                rs.next();
                return rs.getLong(1);
            }
        }

        /** Subtasks of the source, and of the injector chained to it: the pgoutput source reads in one. */
        int sourceParallelism(int parallelism) {
            return connector() == SourceConnector.PGOUTPUT ? 1 : parallelism;
        }

        PipelineUnderTest start(int parallelism, FailureInjector injector, Configuration flink) throws Exception {
            // At the source's parallelism (1 for the pgoutput source): a rebalance before the keyBy would reorder.
            UnaryOperator<DataStream<CapturedChange>> hook = captured -> captured.map(injector)
                    .returns(captured.getType()).setParallelism(captured.getParallelism())
                    .uid("failure-injector").name("failure-injector");
            PipelineUnderTest pipeline = PipelineUnderTest.start(POSTGRES.server(), config, parallelism, hook, flink);
            resources.add(() -> {
                pipeline.close();
                pipeline.job().getJobExecutionResult().handle((result, failure) -> null).get(60, TimeUnit.SECONDS);
            });
            return pipeline;
        }

        BackgroundWorkload startWorkload() throws SQLException {
            BackgroundWorkload background = new BackgroundWorkload(workload, POSTGRES.connect(database), id);
            resources.add(background);
            return background;
        }

        ChangeWorkload workload() {
            return workload;
        }

        Connection connection() {
            return connection;
        }

        PipelineConfig config() {
            return config;
        }

        Map<TableId, Long> sourceCounts() throws SQLException {
            Map<TableId, Long> counts = new java.util.LinkedHashMap<>();
            try (Statement s = connection.createStatement()) {
                for (TableId table : TABLES) {
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table.qualifiedName())) {
                        rs.next();
                        counts.put(table, rs.getLong(1));
                    }
                }
            }
            return counts;
        }

        /** Streamed changes equal the committed history in order; the validator finds nothing (replay = source). */
        void assertValid(PipelineUnderTest pipeline, List<CommittedTransaction> committed) throws SQLException {
            for (TableId table : TABLES) {
                assertThat(pipeline.streamedChanges(table)).as("bronze order of " + table + " = commit order ("
                        + id + ", seed " + seed + ")").containsExactlyElementsOf(committedChanges(committed, table));
            }
            assertThat(BronzeValidator.validate(connection, BronzeSchema.defaultSchema(), TABLES,
                    ValidationOptions.defaults().withCommitTimeTolerance(Duration.ZERO)).violations())
                    .as("validation of " + id).isEmpty();
        }
    }

    /** Waits until the recovered job has written more streamed changes while the workload keeps committing. */
    private static void awaitStreamingAgain(PipelineUnderTest pipeline, BackgroundWorkload workload)
            throws SQLException {
        long streamedBefore = streamedRows(pipeline);
        await("the recovered job streams under load").atMost(WAIT).until(() -> {
            workload.requireRunning();
            return streamedRows(pipeline) >= streamedBefore + 200;
        });
    }

    private static long streamedRows(PipelineUnderTest pipeline) throws SQLException {
        long rows = 0;
        try (Connection c = pipeline.connect(); Statement s = c.createStatement()) {
            for (TableId table : TABLES) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + pipeline.bronzeTable(table)
                        + " WHERE tx_id IS NOT NULL")) {
                    rs.next();
                    rows += rs.getLong(1);
                }
            }
        }
        return rows;
    }

    /**
     * Cancels the stopped job, waits until it and its replication connection are gone, and returns the latest
     * completed checkpoint it retained.
     */
    private static Path cancelAndFindLatestCheckpoint(Scenario scenario, PipelineUnderTest pipeline,
            Path checkpoints) throws Exception {
        Optional<Path> latest = cancelAndFindCheckpoint(scenario, pipeline, checkpoints);
        assertThat(latest).as("a completed checkpoint retained under " + checkpoints).isPresent();
        return latest.get();
    }

    /** {@link #cancelAndFindLatestCheckpoint}, when the job may have completed none. */
    private static Optional<Path> cancelAndFindCheckpoint(Scenario scenario, PipelineUnderTest pipeline,
            Path checkpoints) throws Exception {
        String jobId = pipeline.job().getJobID().toHexString();
        pipeline.job().cancel().get(60, TimeUnit.SECONDS);
        pipeline.job().getJobExecutionResult().handle((result, failure) -> null).get(60, TimeUnit.SECONDS);
        String slot = scenario.config().source().slotName();
        await("replication slot " + slot + " released").atMost(WAIT).until(() -> !slotActive(scenario, slot));
        Optional<Path> latest = LocalState.latestOfJob(checkpoints.resolve(jobId));
        LOG.info("{}: cancelled with bronze {}, latest checkpoint {}", scenario.id, pipeline.bronzeCounts(), latest);
        return latest;
    }

    private static boolean slotActive(Scenario scenario, String slot) throws SQLException {
        try (PreparedStatement ps = scenario.connection().prepareStatement(
                "SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("replication slot " + slot + " exists").isTrue();
                return rs.getBoolean(1);
            }
        }
    }

    /** Restarts failed tasks in the same cluster: a few attempts, a short delay. */
    private static Configuration restartingConfiguration(Path checkpoints) {
        Configuration conf = retainingWithoutRestarts(checkpoints);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        return conf;
    }

    /** A new job started from {@code checkpoint}, as {@code flink run -s <checkpoint>} does. */
    private static Configuration restoring(Path checkpoints, Path checkpoint) {
        Configuration conf = retainingWithoutRestarts(checkpoints);
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint.toUri().toString());
        return conf;
    }

    /** {@code pg_xact_status} of each server transaction: committed, aborted or in progress. */
    private static Map<Long, String> transactionStatus(Scenario scenario, List<Long> xids) throws SQLException {
        Map<Long, String> status = new java.util.TreeMap<>();
        try (PreparedStatement ps = scenario.connection().prepareStatement("SELECT pg_xact_status(?::text::xid8)")) {
            for (long xid : xids) {
                ps.setString(1, Long.toString(xid));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    status.put(xid, rs.getString(1));
                }
            }
        }
        return status;
    }

    private static long total(Map<TableId, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private static void dropDatabase(String database) throws SQLException {
        try (Connection c = POSTGRES.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                    + " WHERE database = '" + database + "' AND active_pid IS NOT NULL");
            await("slots of " + database + " released").atMost(WAIT).until(() -> {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots"
                        + " WHERE database = '" + database + "' AND active")) {
                    rs.next();
                    return rs.getLong(1) == 0;
                }
            });
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                    + " WHERE database = '" + database + "'");
            try (ResultSet rs = s.executeQuery("SELECT gid FROM pg_prepared_xacts WHERE database = '"
                    + database + "'")) {
                List<String> gids = new ArrayList<>();
                while (rs.next()) {
                    gids.add(rs.getString(1));
                }
                for (String gid : gids) {
                    try (Connection owner = POSTGRES.connect(database); Statement o = owner.createStatement()) {
                        o.execute("ROLLBACK PREPARED '" + gid + "'");
                    }
                }
            }
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    enum Phase { SNAPSHOT, STREAM }

    /**
     * What the injector does at its record: throw (a task failure); stop the task until the test cancels the job;
     * or, at the next checkpoint, wait until the sink has prepared its transaction (pgoutput source: until bronze
     * holds more than when the last checkpoint completed), decline that checkpoint and fail the task on the next
     * record (a failure between the sink's write and checkpoint completion).
     */
    enum Action { THROW, STOP, FAIL_AFTER_PREPARE }

    /**
     * The state of one test's injector. It lives in a JVM-wide map keyed by the test id, not in the function:
     * the MiniCluster runs the tasks in this JVM and deserializes a fresh copy of the function for every
     * (re)start, so only state outside the function can remember that the failure already happened, and keying
     * it by the test keeps each test and seed independent. The test removes its entry when it ends.
     */
    static final class Trigger {
        static final Map<String, Trigger> ALL = new ConcurrentHashMap<>();

        private final AtomicLong snapshotRecords = new AtomicLong();
        private final AtomicLong streamedRecords = new AtomicLong();
        private final AtomicLong completedCheckpoints = new AtomicLong();
        private final AtomicInteger opened = new AtomicInteger();
        private final AtomicBoolean fired = new AtomicBoolean();
        private final AtomicReference<Phase> firedOn = new AtomicReference<>();
        private final AtomicBoolean failNextRecord = new AtomicBoolean();
        /** Server xids of the sink's transactions that were prepared when the failure was injected. */
        final List<Long> pendingAtFailure = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** pgoutput: changes bronze held at the failure beyond what it held when the last checkpoint completed. */
        final AtomicLong bronzeAheadAtFailure = new AtomicLong();
        /** pgoutput: changes bronze held when the last checkpoint completed. */
        final AtomicLong bronzeAtCompletedCheckpoint = new AtomicLong();
        private final CountDownLatch release = new CountDownLatch(1);

        boolean fired() {
            return firedOn.get() != null;
        }

        Phase firedOn() {
            return firedOn.get();
        }

        int opened() {
            return opened.get();
        }
    }

    /**
     * Passes every change on unchanged, and once, at the first record of {@code phase} counted from
     * {@code atRecord} on (across subtasks and restarts) after a checkpoint covering records of that phase has
     * completed in this run, throws or stops: the recovery then starts from the middle of the phase.
     */
    static final class FailureInjector extends RichMapFunction<CapturedChange, CapturedChange>
            implements CheckpointListener, CheckpointedFunction {
        private static final long serialVersionUID = 1L;

        private final String testId;
        private final Phase phase;
        private final long atRecord;
        private final Action action;
        /** Whether to fire only once a checkpoint covering records of the phase has completed in this run. */
        private final boolean afterCheckpoint;
        private final JdbcTarget database;
        private final String gidPrefix;
        private final SourceConnector connector;
        /** Records of {@link #phase} seen (JVM-wide) when each pending checkpoint passed this subtask. */
        private transient Map<Long, Long> seenAtCheckpoint;
        /** Whether a completed checkpoint of this run already covers records of {@link #phase}. */
        private transient boolean checkpointCompleted;

        FailureInjector(String testId, Phase phase, long atRecord, Action action, boolean afterCheckpoint,
                JdbcTarget database, String gidPrefix, SourceConnector connector) {
            this.connector = connector;
            this.testId = testId;
            this.phase = phase;
            this.atRecord = atRecord;
            this.action = action;
            this.afterCheckpoint = afterCheckpoint;
            this.database = database;
            this.gidPrefix = gidPrefix;
        }

        Trigger trigger() {
            return Trigger.ALL.get(testId);
        }

        @Override
        public void open(OpenContext openContext) {
            trigger().opened.incrementAndGet();
            trigger().failNextRecord.set(false); // armed for the failed run only
            seenAtCheckpoint = new ConcurrentHashMap<>();
        }

        private long seenOfPhase(Trigger trigger) {
            return (phase == Phase.STREAM ? trigger.streamedRecords : trigger.snapshotRecords).get();
        }

        @Override
        public CapturedChange map(CapturedChange change) throws Exception {
            Trigger trigger = trigger();
            Phase recordPhase = change.snapshot() ? Phase.SNAPSHOT : Phase.STREAM;
            long seen = (change.snapshot() ? trigger.snapshotRecords : trigger.streamedRecords).incrementAndGet();
            if (trigger.failNextRecord.compareAndSet(true, false)) {
                throw new IllegalStateException("injected failure after the sink prepared " + trigger.pendingAtFailure
                        + " for a checkpoint that did not complete (" + testId + ")");
            }
            if (action != Action.FAIL_AFTER_PREPARE && recordPhase == phase && seen >= atRecord
                    && (checkpointCompleted || !afterCheckpoint)
                    && trigger.fired.compareAndSet(false, true)) {
                trigger.firedOn.set(recordPhase);
                if (action == Action.THROW) {
                    throw new IllegalStateException("injected failure at " + phase + " record " + seen + " of "
                            + testId);
                }
                // Stopped here, no later checkpoint can complete; the test cancels the job (interrupting this wait).
                trigger.release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            return change;
        }

        /**
         * For {@link Action#FAIL_AFTER_PREPARE}: this checkpoint's barrier is already on its way to the sink, and as
         * this task has not acknowledged it yet, it cannot complete while we wait here for the sink to prepare.
         */
        @Override
        public void snapshotState(FunctionSnapshotContext context) throws SQLException {
            Trigger trigger = trigger();
            seenAtCheckpoint.put(context.getCheckpointId(), seenOfPhase(trigger));
            if (action != Action.FAIL_AFTER_PREPARE || !checkpointCompleted || trigger.fired.get()
                    || seenOfPhase(trigger) < atRecord) {
                return;
            }
            if (connector == SourceConnector.PGOUTPUT) {
                // The barrier is on its way to the sink, which commits what precedes it; wait until bronze holds
                // more than when the last checkpoint completed, so the restore replays changes bronze holds.
                long atCompleted = trigger.bronzeAtCompletedCheckpoint.get();
                long now;
                try {
                    now = await().pollInterval(Duration.ofMillis(20)).atMost(Duration.ofSeconds(3))
                            .until(this::bronzeChanges, changes -> changes > atCompleted);
                } catch (org.awaitility.core.ConditionTimeoutException nothingWritten) {
                    return; // no rows since the last checkpoint: try at the next one
                }
                if (trigger.fired.compareAndSet(false, true)) {
                    trigger.bronzeAheadAtFailure.set(now - atCompleted);
                    trigger.firedOn.set(phase);
                    trigger.failNextRecord.set(true);
                    throw new IllegalStateException("injected: checkpoint " + context.getCheckpointId()
                            + " declined with " + (now - atCompleted) + " changes in bronze beyond the last completed"
                            + " checkpoint (" + testId + ")");
                }
                return;
            }
            List<Long> prepared;
            try {
                // The delay lets the commit of the previous checkpoint finish, so what stays prepared is this one's.
                prepared = await().pollDelay(Duration.ofMillis(500)).pollInterval(Duration.ofMillis(50))
                        .atMost(Duration.ofSeconds(3)).until(this::preparedTransactions, xids -> !xids.isEmpty());
            } catch (org.awaitility.core.ConditionTimeoutException nothingPrepared) {
                return; // no rows since the last checkpoint: try at the next one
            }
            if (trigger.fired.compareAndSet(false, true)) {
                trigger.pendingAtFailure.addAll(prepared);
                trigger.firedOn.set(phase);
                trigger.failNextRecord.set(true);
                throw new IllegalStateException("injected: checkpoint " + context.getCheckpointId()
                        + " declined after the sink prepared " + prepared + " (" + testId + ")");
            }
        }

        /** The changes bronze holds, as the pgoutput source's sink records them (every table's last lsn). */
        private long bronzeChanges() throws SQLException {
            try (Connection c = database.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT coalesce(sum(last_lsn), 0) FROM cdc_bronze.bronze_log_progress")) {
                rs.next();
                return rs.getLong(1);
            }
        }

        private List<Long> preparedTransactions() throws SQLException {
            List<Long> xids = new ArrayList<>();
            try (Connection c = database.connect(); PreparedStatement ps = c.prepareStatement("SELECT"
                    + " transaction::text::bigint FROM pg_prepared_xacts WHERE database = current_database()"
                    + " AND starts_with(gid, ?)")) {
                ps.setString(1, gidPrefix);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        xids.add(rs.getLong(1));
                    }
                }
            }
            return xids;
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws SQLException {
            if (action == Action.FAIL_AFTER_PREPARE && connector == SourceConnector.PGOUTPUT) {
                trigger().bronzeAtCompletedCheckpoint.set(bronzeChanges());
            }
            Long seen = seenAtCheckpoint.remove(checkpointId);
            checkpointCompleted |= seen != null && seen > 0;
            trigger().completedCheckpoints.incrementAndGet();
        }
    }
    /** Checkpoints on the file system, kept when the job is cancelled; a failure ends the job (no restarts). */
    private static Configuration retainingWithoutRestarts(Path checkpoints) {
        Configuration conf = LocalState.retaining(checkpoints);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return conf;
    }
}
