package io.bronzecdc.flink;

import static io.bronzecdc.flink.testing.PipelineUnderTest.TABLES;
import static io.bronzecdc.flink.testing.PipelineUnderTest.committedChanges;
import static io.bronzecdc.flink.testing.PipelineUnderTest.plus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bronzecdc.flink.testing.PipelineUnderTest;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.SourceConnector;
import io.bronzecdc.model.event.TableId;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance item 8: two pipelines with their own slot and bronze schema on one source database run side by
 * side, A with the Flink CDC source (prepared-transaction sink), B with the pgoutput source (progress in bronze).
 * Both get the whole snapshot and the same streamed history in commit order; neither writes into the other's
 * schema or touches the other's prepared transactions; A is cancelled mid-stream and restarted from its checkpoint
 * while B keeps running, and both end exact and valid.
 */
class TwoPipelinesIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final PagilaGenerator.Counts ROWS = new PagilaGenerator.Counts(599, 5_000, 5_000);
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(200);
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** A transaction prepared under B's id prefix, with a number B will not reach in this test. */
    private static final String FOREIGN_GID_NUMBER = "999999";

    private final List<PipelineUnderTest> running = new ArrayList<>();
    private PipelineConfig pipelineA;
    private PipelineConfig pipelineB;

    @AfterEach
    void stopAndRollBackLeftovers() throws Exception {
        for (PipelineUnderTest pipeline : running) {
            pipeline.close();
            pipeline.job().getJobExecutionResult().handle((result, failure) -> null).get(60, TimeUnit.SECONDS);
        }
        // Prepared transactions keep the database from being dropped.
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            List<String> gids = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT gid FROM pg_prepared_xacts WHERE database = current_database()")) {
                while (rs.next()) {
                    gids.add(rs.getString(1));
                }
            }
            for (String gid : gids) {
                s.execute("ROLLBACK PREPARED '" + gid + "'");
            }
        }
    }

    @Test
    void shouldRunTwoPipelinesOnOneSourceWithoutInterferenceAndRestartOneWhileTheOtherRuns(
            @TempDir Path checkpoints) throws Exception {
        try (Connection c = POSTGRES.connect()) {
            SourceSchema.create(c);
            PagilaLoader.loadGenerated(c, new PagilaGenerator(8, ROWS));
        }
        pipelineA = PipelineUnderTest.config(POSTGRES.server(), POSTGRES.database(), "two_a", "cdc_bronze_a",
                CHECKPOINT_INTERVAL).withConnector(SourceConnector.FLINK_CDC);
        pipelineB = PipelineUnderTest.config(POSTGRES.server(), POSTGRES.database(), "two_b", "cdc_bronze_b",
                CHECKPOINT_INTERVAL);
        Path checkpointsA = checkpoints.resolve("a");
        PipelineUnderTest a = start(pipelineA, 2, retainingWithoutRestarts(checkpointsA));
        PipelineUnderTest b = start(pipelineB, 1, retainingWithoutRestarts(checkpoints.resolve("b")));
        Map<TableId, Long> snapshot = a.sourceCounts();

        a.awaitBronzeCounts(snapshot);
        b.awaitBronzeCounts(snapshot);
        assertValid(a, List.of());
        assertValid(b, List.of());

        ChangeWorkload workload = new ChangeWorkload(8, 5);
        List<CommittedTransaction> committed = new ArrayList<>();
        try (Connection c = POSTGRES.connect()) {
            committed.addAll(workload.run(c, 150));
            // Mid-stream: A has not necessarily caught up with these transactions.
            String jobA = a.job().getJobID().toHexString();
            a.job().cancel().get(60, TimeUnit.SECONDS);
            a.job().getJobExecutionResult().handle((result, failure) -> null).get(60, TimeUnit.SECONDS);
            await("slot two_a released").atMost(WAIT).until(() -> !slotActive(c, "two_a"));
            assertThat(slotActive(c, "two_b")).as("B still streams from its slot").isTrue();
            Path latestA = LocalState.latestOfJob(checkpointsA.resolve(jobA)).orElseThrow(
                    () -> new AssertionError("no completed checkpoint of A under " + checkpointsA));

            committed.addAll(workload.run(c, 150));
            b.awaitBronzeCounts(plus(snapshot, committed));
            assertValid(b, committed);

            // B's prefix, a number B does not reach: A's restart must leave it alone (it rolls back only its own).
            String foreignGid = "bronze-cdc:" + BronzeCdcJob.sinkId(pipelineB) + ":0:" + FOREIGN_GID_NUMBER;
            prepareForeignTransaction(foreignGid);

            a = start(pipelineA, 2, retainingWithoutRestarts(checkpointsA).set(StateRecoveryOptions.SAVEPOINT_PATH,
                    latestA.toUri().toString()));
            committed.addAll(workload.run(c, 150));
            Map<TableId, Long> expected = plus(snapshot, committed);
            a.awaitBronzeCounts(expected);
            b.awaitBronzeCounts(expected);
            assertValid(a, committed);
            assertValid(b, committed);
            a.assertNothingMoreArrives(expected, Duration.ofSeconds(1));
            b.assertNothingMoreArrives(expected, Duration.ofSeconds(1));

            assertThat(preparedGids(c)).as("A's restart kept B's prepared transaction").contains(foreignGid);
            assertOnlyOwnCommitMarkers(c, pipelineA);
            assertProgressOfEveryTableAndNoMarkers(c, pipelineB);
        }
    }

    private PipelineUnderTest start(PipelineConfig config, int parallelism, Configuration flink) throws Exception {
        PipelineUnderTest pipeline = PipelineUnderTest.start(POSTGRES.server(), config, parallelism,
                UnaryOperator.identity(), flink);
        running.add(pipeline);
        return pipeline;
    }

    /** Order equals commit order, the validator finds nothing in this pipeline's schema (replay = source). */
    private static void assertValid(PipelineUnderTest pipeline, List<CommittedTransaction> committed)
            throws SQLException {
        String schema = pipeline.config().bronze().schema();
        for (TableId table : TABLES) {
            assertThat(pipeline.streamedChanges(table)).as(schema + ": bronze order of " + table + " = commit order")
                    .containsExactlyElementsOf(committedChanges(committed, table));
        }
        try (Connection c = pipeline.connect()) {
            assertThat(BronzeValidator.validate(c, new BronzeSchema(schema), TABLES,
                    ValidationOptions.defaults().withCommitTimeTolerance(Duration.ZERO)).violations())
                    .as("validation of " + schema).isEmpty();
        }
    }

    /** Every commit marker in the pipeline's schema carries its own transaction id prefix, and there are some. */
    private static void assertOnlyOwnCommitMarkers(Connection c, PipelineConfig config) throws SQLException {
        String prefix = "bronze-cdc:" + BronzeCdcJob.sinkId(config) + ":";
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FILTER (WHERE starts_with(gid, ?)),"
                + " count(*) FILTER (WHERE NOT starts_with(gid, ?)) FROM " + config.bronze().schema()
                + ".bronze_sink_commit")) {
            ps.setString(1, prefix);
            ps.setString(2, prefix);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).as(config.bronze().schema() + " markers of its own sink").isPositive();
                assertThat(rs.getLong(2)).as(config.bronze().schema() + " markers of another sink").isZero();
            }
        }
    }

    /** The pgoutput source's sink records its progress per table and never prepares a transaction. */
    private static void assertProgressOfEveryTableAndNoMarkers(Connection c, PipelineConfig config)
            throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM "
                + config.bronze().schema() + ".bronze_log_progress), (SELECT count(*) FROM "
                + config.bronze().schema() + ".bronze_sink_commit)")) {
            rs.next();
            assertThat(rs.getLong(1)).as(config.bronze().schema() + " tables with progress").isEqualTo(TABLES.size());
            assertThat(rs.getLong(2)).as(config.bronze().schema() + " commit markers").isZero();
        }
    }

    private static void prepareForeignTransaction(String gid) throws SQLException {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SELECT 1");
            s.execute("PREPARE TRANSACTION '" + gid + "'");
        }
    }

    private static List<String> preparedGids(Connection c) throws SQLException {
        List<String> gids = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT gid FROM pg_prepared_xacts WHERE database = current_database()")) {
            while (rs.next()) {
                gids.add(rs.getString(1));
            }
        }
        return gids;
    }

    private static boolean slotActive(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("replication slot " + slot + " exists").isTrue();
                return rs.getBoolean(1);
            }
        }
    }


    /** Checkpoints on the file system, kept when the job is cancelled; a failure ends the job (no restarts). */
    private static Configuration retainingWithoutRestarts(Path checkpoints) {
        Configuration conf = LocalState.retaining(checkpoints);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return conf;
    }
}
