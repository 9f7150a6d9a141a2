package io.bronzecdc.spark.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bronzecdc.model.ExitCode;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.ParallelSnapshot;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.spark.exec.TaskFault;
import io.bronzecdc.spark.testing.BatchPipeline;
import io.bronzecdc.testkit.pagila.PagilaGenerator;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark tasks of the micro-batch fail and Spark runs them again ({@code local[2,5]}: up to five attempts per task,
 * as one task both reads and stages, so it may meet two faults of each point), at {@link TaskFault}'s points:
 * {@code READ} (a snapshot or stream task has read and encoded its rows) and {@code STAGED} (a task has committed
 * its COPY into the stage table and dies before reporting it, so its rows
 * sit in the stage under an attempt the driver never hears of). The session arms every point from the start; the
 * test creates the arming files at seeded moments (before the run, or from the driver's hook just before the run's
 * Spark job), one or two per point, for the snapshot run and for stream runs after seeded I/U/D workloads. Each
 * run must still succeed, each injected failure must really have happened (its file consumed, the failed attempt
 * seen by a listener, a STAGED attempt's rows found in the stage before publishing), and bronze must be exact after
 * each run: counts, dense lsn, no duplicates, commit order, replay equal to the source.
 *
 * <p>Seed: {@code -Dbronze.taskfailure.seed=N}; printed at start, with each run's plan.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TaskFailureIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();
    @TempDir
    static Path dir;

    private static final long SEED = Long.getLong("bronze.taskfailure.seed", System.nanoTime());
    private static final String SLOT = "it_task_failure";
    private static final String STAGE = "taskfail_bronze.bronze_batch_stage";
    /** Arming files per point; the session's setting names them all, a run creates one or two of each. */
    private static final int FILES_PER_POINT = 2;
    private static final int STREAM_RUNS = 4;
    private static final String INJECTED = "injected task failure at ";

    private static final SplittableRandom RANDOM = new SplittableRandom(SEED);
    private static final List<CommittedTransaction> COMMITTED = new ArrayList<>();
    private static final FailedTasks FAILED = new FailedTasks();
    private static SparkSession spark;
    private static BatchPipeline pipeline;
    private static Map<TableId, Long> snapshot;

    @BeforeAll
    static void startWithEveryPointArmed() throws Exception {
        System.out.println("TaskFailureIT seed " + SEED + " (replay with -Dbronze.taskfailure.seed=" + SEED + ")");
        String faults = Stream.of(TaskFault.Point.values())
                .flatMap(point -> files(point, FILES_PER_POINT).stream().map(f -> point + ":throw:" + f))
                .collect(Collectors.joining(","));
        // local[N,F]: without F, Spark's local mode fails the job at a task's first failure. A task reads and stages,
        // so the stream's single task may fail at both points, twice each, and still succeed at its fifth attempt.
        spark = SparkSession.builder().master("local[2,5]").appName("TaskFailureIT")
                .config("spark.ui.enabled", "false").config(TaskFault.CONF, faults).getOrCreate();
        assertThat(spark.sparkContext().master()).as("a session of this test, not one left by another")
                .isEqualTo("local[2,5]");
        assertThat(spark.sparkContext().getConf().get(TaskFault.CONF, "")).isEqualTo(faults);
        spark.sparkContext().addSparkListener(FAILED);
        try (var c = POSTGRES.connect()) {
            SourceSchema.create(c);
            PagilaLoader.loadGenerated(c, new PagilaGenerator(SEED, new PagilaGenerator.Counts(150, 1_500, 1_500)));
            snapshot = BatchPipeline.sourceCounts(c);
        }
        pipeline = BatchPipeline.create(POSTGRES.server(), POSTGRES.database(), SLOT, "taskfail_bronze", dir);
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    @Order(1)
    void shouldTakeTheSnapshotExactlyOnceWhenReadAndWriteTasksFail() throws Exception {
        // Small chunks, so the snapshot is many read tasks and a failed one is one among several.
        long pages = 2 + RANDOM.nextInt(6);
        Plan plan = Plan.draw(RANDOM, RunPoint.SNAPSHOT_IMPORTED);
        System.out.println("TaskFailureIT snapshot run: chunks of " + pages + " pages, " + plan);
        System.setProperty(ParallelSnapshot.Options.PAGES_PROPERTY, Long.toString(pages));
        try {
            runFailingTasks("snapshot run", plan, snapshot.values().stream().mapToLong(Long::longValue).sum());
        } finally {
            System.clearProperty(ParallelSnapshot.Options.PAGES_PROPERTY);
        }
        try (Connection c = POSTGRES.connect()) {
            pipeline.assertExactLog(c, snapshot, COMMITTED);
        }
    }

    @Test
    @Order(2)
    void shouldAppendEveryChangeExactlyOnceWhenReadAndWriteTasksOfStreamRunsFail() throws Exception {
        try (Connection c = POSTGRES.connect()) {
            for (int run = 1; run <= STREAM_RUNS; run++) {
                int transactions = 20 + RANDOM.nextInt(60);
                int statements = 1 + RANDOM.nextInt(5);
                Plan plan = Plan.draw(RANDOM, RunPoint.CHUNK_DECODED);
                System.out.println("TaskFailureIT stream run " + run + ": " + transactions + " transactions of up to "
                        + statements + " statements, " + plan);
                List<CommittedTransaction> batch = new ChangeWorkload(SEED + run, statements).run(c, transactions);
                COMMITTED.addAll(batch);
                runFailingTasks("stream run " + run, plan,
                        batch.stream().mapToLong(tx -> tx.changes().size()).sum());
                pipeline.assertExactLog(c, snapshot, COMMITTED);
            }
        }
    }

    /**
     * Runs the micro-batch with {@code plan}'s faults armed and asserts it succeeded although they fired: each
     * arming file consumed, each fault a failed task attempt, the STAGED attempts' rows in the stage when the Spark
     * job ended and the other rows exactly the {@code rows} the run publishes.
     */
    private static void runFailingTasks(String run, Plan plan, long rows) throws Exception {
        FAILED.clear();
        AtomicBoolean armed = new AtomicBoolean();
        Map<Long, Long> stagedByAttempt = new TreeMap<>();
        if (plan.armAt() == null) {
            armed.set(plan.arm());
        }
        RunHooks hooks = point -> {
            if (point == plan.armAt() && armed.compareAndSet(false, true)) {
                plan.arm();
            }
            if (point == RunPoint.CHUNK_WRITTEN) {
                stagedByAttempt.putAll(stagedRowsByAttempt());
            }
        };
        assertThat(pipeline.run(hooks, 10_000)).as("%s with %s (seed %d)", run, plan, SEED)
                .isEqualTo(ExitCode.SUCCESS.code());

        assertThat(armed).as("the faults were armed").isTrue();
        for (TaskFault.Point point : TaskFault.Point.values()) {
            assertThat(files(point, FILES_PER_POINT)).as("%s: the %s faults fired (seed %d)", run, point, SEED)
                    .allSatisfy(file -> assertThat(file).doesNotExist());
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(FAILED.injectedAt(TaskFault.Point.READ)).as("%s: failed READ attempts", run)
                    .hasSize(plan.reads());
            assertThat(FAILED.injectedAt(TaskFault.Point.STAGED)).as("%s: failed STAGED attempts", run)
                    .hasSize(plan.staged());
        });
        assertThat(FAILED.others()).as("%s: task failures other than the injected ones", run).isEmpty();
        Set<Long> failedWrites = FAILED.injectedAt(TaskFault.Point.STAGED);
        assertThat(stagedByAttempt).as("%s: the stage when the Spark job ended, rows per attempt (seed %d)", run, SEED)
                .containsKeys(failedWrites.toArray(Long[]::new));
        long published = stagedByAttempt.entrySet().stream().filter(e -> !failedWrites.contains(e.getKey()))
                .mapToLong(Map.Entry::getValue).sum();
        assertThat(published).as("%s: staged rows of the attempts Spark kept", run).isEqualTo(rows);
        assertThat(stagedRowsByAttempt()).as("%s: the stage after the commit", run).isEmpty();
    }

    /** Rows of this pipeline in the stage table, per task attempt. */
    private static Map<Long, Long> stagedRowsByAttempt() {
        Map<Long, Long> rows = new TreeMap<>();
        try (Connection c = POSTGRES.connect(); PreparedStatement ps = c.prepareStatement("SELECT attempt, count(*)"
                + " FROM " + STAGE + " WHERE slot_name = ? GROUP BY attempt")) {
            ps.setString(1, SLOT);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getLong(1), rs.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }

    /** The arming files of {@code point}, as the session's setting names them. */
    private static List<Path> files(TaskFault.Point point, int count) {
        List<Path> files = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            files.add(dir.resolve(point.name().toLowerCase(java.util.Locale.ROOT) + "-" + i));
        }
        return files;
    }

    /**
     * The faults of one run: {@code reads} READ and {@code staged} STAGED failures (1 or 2 each: a task may fail
     * twice and still succeed on its third attempt), armed before the run ({@code armAt} null) or when the run
     * reaches {@code armAt}, before its Spark job.
     */
    private record Plan(int reads, int staged, RunPoint armAt) {
        static Plan draw(SplittableRandom random, RunPoint inRun) {
            return new Plan(1 + random.nextInt(FILES_PER_POINT), 1 + random.nextInt(FILES_PER_POINT),
                    random.nextBoolean() ? null : inRun);
        }

        boolean arm() {
            try {
                for (Path file : files(TaskFault.Point.READ, reads)) {
                    Files.createFile(file);
                }
                for (Path file : files(TaskFault.Point.STAGED, staged)) {
                    Files.createFile(file);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return true;
        }

        @Override
        public String toString() {
            return reads + " READ and " + staged + " STAGED task failures armed "
                    + (armAt == null ? "before the run" : "at " + armAt);
        }
    }

    /** The failed task attempts of the session, by their attempt id ({@code TaskContext.taskAttemptId()}). */
    private static final class FailedTasks extends SparkListener {
        private final List<Failure> failures = new CopyOnWriteArrayList<>();

        record Failure(long attempt, String reason) {
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.taskInfo() != null && end.taskInfo().failed()
                    && end.reason() instanceof TaskFailedReason reason) {
                failures.add(new Failure(end.taskInfo().taskId(), reason.toErrorString()));
            }
        }

        void clear() {
            failures.clear();
        }

        Set<Long> injectedAt(TaskFault.Point point) {
            return failures.stream().filter(f -> f.reason().contains(INJECTED + point))
                    .map(Failure::attempt).collect(Collectors.toSet());
        }

        List<String> others() {
            return failures.stream().map(Failure::reason).filter(reason -> !reason.contains(INJECTED)).toList();
        }
    }
}
