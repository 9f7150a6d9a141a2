package io.bronzecdc.spark.job;

import io.bronzecdc.model.ExitCode;
import static io.bronzecdc.spark.testing.BatchPipeline.TABLES;
import static io.bronzecdc.spark.testing.BatchPipeline.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.PagilaFiles;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.spark.testing.BatchPipeline;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
 * The micro-batch job through the life of a pipeline on the Pagila rows: the first run (snapshot through the
 * slot's exported snapshot), a run after live I/U/D transactions, and two runs at once. Tests run in order and
 * each asserts the whole bronze log so far, exactly.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MicroBatchJobIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();
    @TempDir
    static Path configDir;

    private static SparkSession spark;
    private static BatchPipeline pipeline;
    private static Map<TableId, Long> snapshot;
    private static final List<CommittedTransaction> COMMITTED = new ArrayList<>();

    @BeforeAll
    static void startOnPagila() throws Exception {
        long started = System.nanoTime();
        spark = BatchPipeline.localSession("MicroBatchJobIT");
        System.out.printf("Spark session (local[2]) up in %d ms%n", (System.nanoTime() - started) / 1_000_000);
        try (Connection c = POSTGRES.connect()) {
            SourceSchema.create(c);
            PagilaLoader.loadFiles(c, PagilaFiles.directory());
            snapshot = BatchPipeline.sourceCounts(c);
        }
        pipeline = BatchPipeline.create(POSTGRES.server(), POSTGRES.database(), "it_batch", "cdc_bronze", configDir);
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    @Order(1)
    void shouldLandThePagilaSnapshotDenseWithPayloadsEqualToTheSourceRows() throws Exception {
        assertThat(snapshot).containsExactlyInAnyOrderEntriesOf(Map.of(
                TableId.of("customer"), 599L, TableId.of("payment"), 16_049L, TableId.of("rental"), 16_044L));

        long started = System.nanoTime();
        assertThat(pipeline.run()).isEqualTo(ExitCode.SUCCESS.code());
        System.out.printf("First run on the Pagila snapshot (session already up): %d ms%n",
                (System.nanoTime() - started) / 1_000_000);

        try (Connection c = POSTGRES.connect()) {
            pipeline.assertExactLog(c, snapshot, COMMITTED);
            for (TableId table : TABLES) {
                // Every payload is exactly the jsonb PostgreSQL itself gives for the source row.
                assertThat(single(c, "SELECT count(*) FROM " + pipeline.schema().tableOf(table) + " b JOIN "
                        + table + " s ON b.full_row = to_jsonb(s)")).as("payloads equal to_jsonb of %s", table)
                        .isEqualTo(snapshot.get(table));
            }
            assertThat(single(c, "SELECT count(*) FROM cdc_bronze.br_payment_cdc WHERE source_lsn ="
                    + " (SELECT snapshot_lsn - '0/0'::pg_lsn FROM cdc_bronze.bronze_batch_progress)"))
                    .as("snapshot rows carry the consistent point").isEqualTo(16_049L);
        }
    }

    @Test
    @Order(2)
    void shouldAppendTheChangesBetweenRunsInCommitOrderContinuingTheLsn() throws Exception {
        try (Connection c = POSTGRES.connect()) {
            COMMITTED.addAll(new ChangeWorkload(42, 4).run(c, 150));
        }

        assertThat(pipeline.run()).isEqualTo(ExitCode.SUCCESS.code());

        try (Connection c = POSTGRES.connect()) {
            pipeline.assertExactLog(c, snapshot, COMMITTED);
        }
        // A run with nothing new appends nothing.
        assertThat(pipeline.run()).isEqualTo(ExitCode.SUCCESS.code());
        try (Connection c = POSTGRES.connect()) {
            pipeline.assertExactLog(c, snapshot, COMMITTED);
            assertThat(single(c, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'it_batch'"
                    + " AND confirmed_flush_lsn = (SELECT covered_lsn FROM cdc_bronze.bronze_batch_progress)"))
                    .as("slot advanced to the committed position").isEqualTo(1L);
        }
    }

    @Test
    @Order(3)
    void shouldLetOnlyOneOfTwoConcurrentRunsWrite() throws Exception {
        try (Connection c = POSTGRES.connect()) {
            COMMITTED.addAll(new ChangeWorkload(43, 4).run(c, 50));
        }
        CountDownLatch firstHoldsTheLock = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RunHooks pauseBeforeCommit = point -> {
            if (point == RunPoint.BEFORE_COMMIT) {
                firstHoldsTheLock.countDown();
                await(release);
            }
        };
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> pipeline.run(pauseBeforeCommit, 10_000));
        try {
            assertThat(firstHoldsTheLock.await(60, TimeUnit.SECONDS)).as("first run reached its commit").isTrue();

            assertThat(pipeline.run()).as("exit code of the second run").isEqualTo(ExitCode.ANOTHER_RUN_ACTIVE.code());
            assertThatThrownBy(() -> new MicroBatchRun(pipeline.config(), RunOptions.defaults()).run())
                    .isInstanceOf(AnotherRunActiveException.class)
                    .hasMessageMatching("(?s)Another run of pipeline it_batch is active \\(backend \\d+ holds its"
                            + " advisory lock in database t_microbatchjobit_\\d+\\).*")
                    .hasMessageContaining("this run wrote nothing");
        } finally {
            release.countDown();
        }
        assertThat(first.get(120, TimeUnit.SECONDS)).as("exit code of the first run").isEqualTo(ExitCode.SUCCESS.code());

        try (Connection c = POSTGRES.connect()) {
            pipeline.assertExactLog(c, snapshot, COMMITTED);
        }
    }

    @Test
    @Order(4)
    void shouldExitWithPreflightFailedWhenTheSourceCannotBeReachedAfterRetries() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        PipelineConfig reachable = BatchPipeline.configure(POSTGRES.server(), POSTGRES.database(), "it_gone",
                "gone_bronze", configDir).config();
        PipelineConfig.SourceConfig source = reachable.source();
        PipelineConfig unreachable = new PipelineConfig(new PipelineConfig.SourceConfig(source.host(), closedPort,
                source.database(), source.user(), source.password(), source.sslMode(), source.slotName(),
                source.publicationName()), reachable.bronze(), reachable.tables(), reachable.batchInterval(),
                reachable.lagThreshold(), reachable.checkpointInterval());
        RunOptions oneQuickRetry = new RunOptions(10_000, 1, Duration.ofMillis(50), RunHooks.NONE);
        assertThat(MicroBatchJob.runOnce(unreachable, oneQuickRetry)).isEqualTo(ExitCode.NOT_READY);
        assertThatThrownBy(() -> new MicroBatchRun(unreachable, oneQuickRetry).run())
                .isInstanceOf(io.bronzecdc.model.postgres.SourceConnectionException.class)
                .hasMessageContaining("nothing accepts connections at 127.0.0.1:" + closedPort)
                .hasMessageContaining("Gave up after 2 attempt(s)")
                .hasMessageContaining("Check source.host and source.port");
    }

    @Test
    @Order(4)
    void shouldExitWithPreflightFailedListingEveryProblemBeforeWritingAnything() throws Exception {
        BatchPipeline unprepared = BatchPipeline.configure(POSTGRES.server(), POSTGRES.database(), "it_nopub",
                "nopub_bronze", configDir);
        try (Connection c = POSTGRES.connect(); var s = c.createStatement()) {
            s.execute("ALTER TABLE customer REPLICA IDENTITY DEFAULT");
            try {
                assertThat(unprepared.run()).isEqualTo(ExitCode.NOT_READY.code());
                assertThatThrownBy(() -> new MicroBatchRun(unprepared.config(), RunOptions.defaults()).run())
                        .isInstanceOf(io.bronzecdc.spark.preflight.PreflightException.class)
                        .hasMessageContaining("failed with 2 problems")
                        .hasMessageContaining("REPLICA IDENTITY is not FULL on public.customer")
                        .hasMessageContaining("publication it_nopub_pub does not exist: run CREATE PUBLICATION"
                                + " \"it_nopub_pub\" FOR TABLE \"public\".\"customer\", \"public\".\"payment\","
                                + " \"public\".\"rental\" WITH (publish_via_partition_root = true)");
            } finally {
                s.execute("ALTER TABLE customer REPLICA IDENTITY FULL");
            }
            assertThat(single(c, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'it_nopub'")).isZero();
            assertThat(single(c, "SELECT count(*) FROM pg_namespace WHERE nspname = 'nopub_bronze'")).isZero();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test never released the paused run");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
