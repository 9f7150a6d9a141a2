package io.bronzecdc.spark.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bronzecdc.model.ExitCode;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.spark.testing.BatchPipeline;
import io.bronzecdc.testkit.pagila.PagilaGenerator;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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
 * The job as a Structured Streaming query with {@code Trigger.AvailableNow} and a checkpoint location: each scheduled
 * run after the snapshot is the next batch of one query (ids continue across runs, and bronze records the query's id
 * and the batch's with the rows), and a batch that Spark runs again after the job died between the bronze commit and
 * Spark's commit log is recognised and written once. Bronze is exact after every run: counts, dense lsn, commit order,
 * replay equals source. The seed is printed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StreamingQueryIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();
    @TempDir
    static Path dir;

    private static final long SEED = new SplittableRandom().nextLong();
    private static SparkSession spark;
    private static BatchPipeline pipeline;
    private static Map<TableId, Long> snapshot;
    private static Path checkpoint;
    private static final List<CommittedTransaction> COMMITTED = new ArrayList<>();

    @BeforeAll
    static void createSource() throws Exception {
        System.out.println("StreamingQueryIT seed " + SEED);
        spark = BatchPipeline.localSession("StreamingQueryIT");
        try (Connection c = POSTGRES.connect()) {
            SourceSchema.create(c);
            PagilaLoader.loadGenerated(c, new PagilaGenerator(SEED, new PagilaGenerator.Counts(50, 200, 200)));
            snapshot = BatchPipeline.sourceCounts(c);
        }
        pipeline = BatchPipeline.create(POSTGRES.server(), POSTGRES.database(), "it_query", "query_bronze", dir);
        checkpoint = dir.resolve("checkpoint");
        Output first = run(RunHooks.NONE);
        assertThat(first.exit()).as("first run:%n%s", first.text()).isZero();
        assertThat(first.text()).as("the first run takes the snapshot, outside the query").contains("snapshot run: ")
                .doesNotContain("batch 0: ");
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    @Order(1)
    void shouldRunEachScheduledRunAsTheNextBatchOfOneQuery() throws Exception {
        try (Connection c = POSTGRES.connect()) {
            for (int run = 0; run < 3; run++) {
                COMMITTED.addAll(new ChangeWorkload(SEED + run, 4).run(c, 30));
                Output output = run(RunHooks.NONE);
                assertThat(output.exit()).as("run %d:%n%s", run, output.text()).isZero();
                assertThat(output.text()).as("run %d", run).contains("batch " + run + ": stream run: appended ");
                assertThat(progress(c)).as("query and batch bronze records").isEqualTo(queryId() + " " + run);
                pipeline.assertExactLog(c, snapshot, COMMITTED);
            }
        }
    }

    @Test
    @Order(2)
    void shouldWriteABatchOnceWhenSparkRunsItAgainAfterTheBronzeCommit() throws Exception {
        try (Connection c = POSTGRES.connect()) {
            COMMITTED.addAll(new ChangeWorkload(SEED + 10, 4).run(c, 30));
            AtomicBoolean crashed = new AtomicBoolean();
            Output died = run(point -> {
                if (point == RunPoint.COMMITTED && crashed.compareAndSet(false, true)) {
                    throw new IllegalStateException("simulated crash after the bronze commit of batch 3");
                }
            });
            assertThat(died.exit()).as("the run that died:%n%s", died.text()).isEqualTo(ExitCode.FAILED.code());
            assertThat(progress(c)).as("bronze holds batch 3").isEqualTo(queryId() + " 3");
            assertThat(Files.exists(checkpoint.resolve("commits/3"))).as("Spark's commit log of batch 3").isFalse();
            pipeline.assertExactLog(c, snapshot, COMMITTED);

            COMMITTED.addAll(new ChangeWorkload(SEED + 11, 4).run(c, 20));
            Output rerun = run(RunHooks.NONE);
            assertThat(rerun.exit()).as("the rerun:%n%s", rerun.text()).isZero();
            assertThat(rerun.text()).as("Spark ran batch 3 again; bronze had it")
                    .contains("batch 3 already in bronze").contains("batch 4: stream run: appended ");
            assertThat(progress(c)).isEqualTo(queryId() + " 4");
            pipeline.assertExactLog(c, snapshot, COMMITTED);
        }
    }

    /** The output and exit code of one job run with the test's checkpoint. */
    private record Output(int exit, String text) {
    }

    private static Output run(RunHooks hooks) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int exit = pipeline.run(hooks, out, "--checkpoint", checkpoint.toString());
        String text = bytes.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        return new Output(exit, text);
    }

    /** {@code <query id> <batch id>} from bronze_batch_progress. */
    private static String progress(Connection c) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT query_id || ' ' || batch_id"
                + " FROM query_bronze.bronze_batch_progress WHERE slot_name = 'it_query'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The query's id, as Spark keeps it in the checkpoint's metadata file. */
    private static String queryId() throws Exception {
        return new ObjectMapper().readTree(checkpoint.resolve("metadata").toFile()).path("id").asText();
    }
}
