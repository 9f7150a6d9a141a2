package io.bronzecdc.bench.engine;

import io.bronzecdc.cli.engine.EngineProcess;
import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.bench.engine.BronzeLogs.Difference;
import io.bronzecdc.bench.engine.BronzeLogs.StreamedRow;
import io.bronzecdc.bench.engine.EnginePair.Pipeline;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.PagilaFiles;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.testkit.workload.AppliedChange;
import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Acceptance item 6 of issue 4, parity: one source history (the Pagila snapshot, then seeded I/U/D transactions)
 * captured by the Flink pipeline and by the Spark pipeline, each started in a JVM of its own from its module's
 * build output, into two bronze schemas. Both pass validation, their streamed changes are identical in lsn, op,
 * tx_id and payload, in order, and equal to the workload's committed history; their snapshot rows are equal as
 * multisets.
 *
 * <p>Flink streams for the whole class. Spark runs twice: once on the snapshot, once after the workload. Engine
 * output goes to {@code target/parity-it/}; failure messages quote its tail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ParityIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final List<TableId> TABLES = ChangeWorkload.tables();
    private static final Pipeline FLINK = new Pipeline("flink", "flink_parity", new BronzeSchema("cdc_bronze_flink"));
    private static final Pipeline SPARK = new Pipeline("spark", "spark_parity", new BronzeSchema("cdc_bronze_spark"));
    private static final long WORKLOAD_SEED = 20_261_125L;
    private static final int WORKLOAD_TRANSACTIONS = 200;
    private static final int STATEMENTS_PER_TRANSACTION = 4;
    private static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STREAM_TIMEOUT = Duration.ofSeconds(45);

    private static EnginePair engines;
    private static EngineProcess flink;
    private static Map<TableId, Long> snapshot;
    private static final List<CommittedTransaction> COMMITTED = new ArrayList<>();
    private static boolean snapshotsLanded;
    private static boolean changesLanded;

    @BeforeAll
    static void startFlinkOnPagila() throws Exception {
        engines = new EnginePair(POSTGRES, "target/parity-it", FLINK, SPARK);
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            SourceSchema.create(c);
            PagilaLoader.loadFiles(c, PagilaFiles.directory());
            snapshot = sourceCounts(c);
            // The Flink job creates its publication itself (--init); the Spark job expects one.
            s.execute("CREATE PUBLICATION " + SPARK.slot() + "_pub FOR TABLE customer, payment, rental"
                    + " WITH (publish_via_partition_root = true)");
        }
        engines.writeConfigs(UnaryOperator.identity());
        flink = engines.startFlink();
    }

    @AfterAll
    static void stopFlink() throws InterruptedException {
        if (flink != null) {
            boolean gone = flink.stop(EngineProcess.DEFAULT_GRACE);
            assertThat(gone).as("%s gone after stop", flink).isTrue();
            assertThat(ProcessHandle.of(flink.pid()).filter(ProcessHandle::isAlive)).as("flink pid %d", flink.pid())
                    .isEmpty();
        }
    }

    @Test
    @Order(1)
    void shouldLandTheSameSnapshotWithBothEngines() throws Exception {
        assertThat(snapshot).containsExactlyInAnyOrderEntriesOf(Map.of(
                TableId.of("customer"), 599L, TableId.of("payment"), 16_049L, TableId.of("rental"), 16_044L));

        // Both engines take their snapshot at the same time; nothing changes the source until both are done.
        try (EngineProcess run = engines.startSpark("spark-run-1")) {
            engines.awaitSuccess(run);
        }
        engines.awaitFlinkBronze(snapshot, SNAPSHOT_TIMEOUT, "the Pagila snapshot");

        try (Connection c = POSTGRES.connect()) {
            for (Pipeline pipeline : List.of(FLINK, SPARK)) {
                assertThat(BronzeLogs.counts(c, pipeline.schema(), TABLES)).as("rows in %s", pipeline.schema())
                        .containsExactlyInAnyOrderEntriesOf(snapshot);
                assertThat(BronzeLogs.snapshotCounts(c, pipeline.schema(), TABLES))
                        .as("snapshot rows (tx_id null) in %s", pipeline.schema())
                        .containsExactlyInAnyOrderEntriesOf(snapshot);
            }
            assertSnapshotsEqualAsMultisets(c);
        }
        snapshotsLanded = true;
    }

    @Test
    @Order(2)
    void shouldStreamIdenticalChangesInCommitOrder() throws Exception {
        assertThat(snapshotsLanded).as("both snapshots landed (previous test)").isTrue();
        long started = System.nanoTime();
        try (Connection c = POSTGRES.connect()) {
            COMMITTED.addAll(new ChangeWorkload(WORKLOAD_SEED, STATEMENTS_PER_TRANSACTION).run(c, WORKLOAD_TRANSACTIONS));
        }
        System.out.printf("workload: %d transactions, %d changes in %d ms%n", COMMITTED.size(),
                COMMITTED.stream().mapToInt(tx -> tx.changes().size()).sum(), millisSince(started));
        Map<TableId, Long> expected = new LinkedHashMap<>(snapshot);
        COMMITTED.stream().flatMap(tx -> tx.changes().stream()).forEach(change -> expected.merge(change.table(), 1L,
                Long::sum));

        // The second Spark run starts after the last commit, so its bound covers the whole workload; its JVM
        // starts while Flink catches up.
        try (EngineProcess run = engines.startSpark("spark-run-2")) {
            engines.awaitFlinkBronze(expected, STREAM_TIMEOUT, "the snapshot plus the workload's changes");
            engines.awaitSuccess(run);
        }

        try (Connection c = POSTGRES.connect()) {
            assertThat(BronzeLogs.counts(c, SPARK.schema(), TABLES)).as("rows in %s", SPARK.schema())
                    .containsExactlyInAnyOrderEntriesOf(expected);
            assertThat(BronzeLogs.counts(c, FLINK.schema(), TABLES)).as("rows in %s (nothing extra arrived)",
                    FLINK.schema()).containsExactlyInAnyOrderEntriesOf(expected);
            for (TableId table : TABLES) {
                List<StreamedRow> flinkRows = BronzeLogs.streamed(c, FLINK.schema(), table);
                List<StreamedRow> sparkRows = BronzeLogs.streamed(c, SPARK.schema(), table);
                assertThat(BronzeLogs.firstDifference(table, FLINK.engine(), flinkRows, SPARK.engine(), sparkRows))
                        .as("streamed changes of %s: flink and spark must agree in every column but load_ts", table)
                        .isEmpty();
                List<String> history = COMMITTED.stream().flatMap(tx -> tx.changes().stream()
                        .filter(change -> change.table().equals(table)).map(change -> historyLine(tx, change)))
                        .toList();
                assertThat(flinkRows.stream().map(StreamedRow::historyLine).toList())
                        .as("streamed changes of %s (both engines) against the workload's commit order", table)
                        .containsExactlyElementsOf(history);
            }
        }
        changesLanded = true;
    }

    @Test
    @Order(3)
    void shouldPassValidationOnBothBronzeSchemas() throws Exception {
        assertThat(changesLanded).as("both engines captured the workload (previous test)").isTrue();
        try (Connection c = POSTGRES.connect()) {
            for (Pipeline pipeline : List.of(FLINK, SPARK)) {
                ValidationReport report = engines.assertValid(c, pipeline, TABLES);
                assertThat(report.slot()).as("slot of %s", pipeline.engine()).isPresent();
            }
        }
        assertThat(flink.isAlive()).as("flink still streaming after the checks; output:%n%s", flink.tail(EnginePair.TAIL_LINES))
                .isTrue();
    }

    private static void assertSnapshotsEqualAsMultisets(Connection c) throws SQLException {
        for (TableId table : TABLES) {
            Difference onlyFlink = BronzeLogs.snapshotExcept(c, FLINK.schema(), SPARK.schema(), table);
            Difference onlySpark = BronzeLogs.snapshotExcept(c, SPARK.schema(), FLINK.schema(), table);
            assertThat(onlyFlink.rows()).as("snapshot rows of %s only in flink's bronze, e.g. %s", table,
                    onlyFlink.example().orElse("-")).isZero();
            assertThat(onlySpark.rows()).as("snapshot rows of %s only in spark's bronze, e.g. %s", table,
                    onlySpark.example().orElse("-")).isZero();
        }
    }

    private static String historyLine(CommittedTransaction tx, AppliedChange change) {
        return change.op().code() + " " + change.key() + " tx " + tx.txId();
    }

    private static Map<TableId, Long> sourceCounts(Connection c) throws SQLException {
        Map<TableId, Long> counts = new LinkedHashMap<>();
        for (TableId table : TABLES) {
            counts.put(table, BronzeLogs.single(c, "SELECT count(*) FROM " + table.qualifiedName()));
        }
        return counts;
    }

    private static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }
}
