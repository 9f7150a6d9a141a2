package io.bronzecdc.spark.job;

import io.bronzecdc.model.ExitCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.spark.testing.BatchPipeline;
import io.bronzecdc.testkit.pagila.PagilaGenerator;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * Runs that die at each named point of the first run and of a stream run (a hook throws there, so open
 * transactions roll back and connections close, as when the driver dies), each followed by a clean rerun: bronze
 * ends with every change exactly once, lsn dense, in commit order, replay equal to the source.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashRecoveryIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();
    @TempDir
    static Path configDir;

    /** Small chunks, so a run writes several chunks before it commits and "mid-write" is really mid-write. */
    private static final int CHUNK = 25;

    private static SparkSession spark;
    private static BatchPipeline pipeline;
    private static Map<TableId, Long> snapshot;
    private static final List<CommittedTransaction> COMMITTED = new ArrayList<>();

    @BeforeAll
    static void createSource() throws Exception {
        spark = BatchPipeline.localSession("CrashRecoveryIT");
        try (Connection c = POSTGRES.connect()) {
            SourceSchema.create(c);
            PagilaLoader.loadGenerated(c, new PagilaGenerator(7, new PagilaGenerator.Counts(60, 300, 300)));
            snapshot = BatchPipeline.sourceCounts(c);
        }
        pipeline = BatchPipeline.create(POSTGRES.server(), POSTGRES.database(), "it_crash", "crash_bronze", configDir);
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    @Order(1)
    void shouldTakeTheSnapshotExactlyOnceAfterFirstRunsDiedAtEveryPoint() throws Exception {
        try (Connection c = POSTGRES.connect()) {
            for (RunPoint point : List.of(RunPoint.SNAPSHOT_IMPORTED, RunPoint.CHUNK_DECODED, RunPoint.CHUNK_WRITTEN,
                    RunPoint.BEFORE_COMMIT)) {
                assertThat(pipeline.run(crashAt(point), CHUNK)).as("run crashed at %s", point)
                        .isEqualTo(ExitCode.FAILED.code());
                assertThat(BatchPipeline.single(c, "SELECT count(*) FROM crash_bronze.br_payment_cdc"))
                        .as("nothing committed by the run that died at %s", point).isZero();
                // The source keeps changing while the pipeline is down.
                COMMITTED.addAll(new ChangeWorkload(100 + point.ordinal(), 3).run(c, 10));
            }
            // Changes made before the successful first run are part of its snapshot, not of the stream.
            snapshot = BatchPipeline.sourceCounts(c);
            COMMITTED.clear();

            assertThat(pipeline.run(RunHooks.NONE, CHUNK)).isEqualTo(ExitCode.SUCCESS.code());
            pipeline.assertExactLog(c, snapshot, COMMITTED);
        }
    }

    @Test
    @Order(2)
    void shouldAppendEveryChangeExactlyOnceAfterStreamRunsDiedAtEveryPoint() throws Exception {
        try (Connection c = POSTGRES.connect()) {
            int seed = 200;
            for (RunPoint point : List.of(RunPoint.CHUNK_DECODED, RunPoint.CHUNK_WRITTEN, RunPoint.BEFORE_COMMIT,
                    RunPoint.COMMITTED, RunPoint.SLOT_ADVANCED)) {
                COMMITTED.addAll(new ChangeWorkload(seed++, 4).run(c, 40));
                assertThat(pipeline.run(crashAt(point), CHUNK)).as("run crashed at %s", point)
                        .isEqualTo(ExitCode.FAILED.code());
                // More changes arrive before the rerun, so it both skips what bronze holds and appends the rest.
                COMMITTED.addAll(new ChangeWorkload(seed++, 4).run(c, 15));

                assertThat(pipeline.run(RunHooks.NONE, CHUNK)).as("rerun after a crash at %s", point)
                        .isEqualTo(ExitCode.SUCCESS.code());
                pipeline.assertExactLog(c, snapshot, COMMITTED);
            }
        }
    }

    /** Hooks that throw the first time the run reaches {@code point}. */
    private static RunHooks crashAt(RunPoint point) {
        AtomicBoolean crashed = new AtomicBoolean();
        return reached -> {
            if (reached == point && crashed.compareAndSet(false, true)) {
                throw new IllegalStateException("simulated crash at " + point);
            }
        };
    }
}
