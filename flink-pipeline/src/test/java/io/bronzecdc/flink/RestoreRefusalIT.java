package io.bronzecdc.flink;

import static io.bronzecdc.flink.testing.PipelineUnderTest.TABLES;
import static io.bronzecdc.flink.testing.PipelineUnderTest.plus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bronzecdc.flink.testing.PipelineUnderTest;
import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.PostgresExtension;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore that would lose changes is refused for good: the job ran, a checkpoint completed, the job was cancelled
 * keeping it, and then the slot was (a) dropped or (b) advanced beyond the checkpoint's position. Restoring that
 * checkpoint must end the job as FAILED at once, not restart it under the job's own restart strategy
 * ({@link RecoveryPolicy}, about 20 minutes of attempts), with a message naming the slot and the fix, and bronze
 * unchanged (nothing of the changes after the checkpoint written, nothing rolled back). Runs with the pgoutput
 * source, whose {@code SlotReader} makes the check.
 */
class RestoreRefusalIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final PagilaGenerator.Counts ROWS = new PagilaGenerator.Counts(200, 500, 500);
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(200);
    /** Far below the job's restart strategy's total (about 20 minutes): the job must fail without retrying. */
    private static final Duration FAIL_WITHIN = Duration.ofSeconds(90);
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final String SLOT = "it_refuse";

    private String database;
    private Connection connection;
    private PipelineConfig config;
    private ChangeWorkload workload;

    @BeforeEach
    void createSource() throws SQLException {
        database = POSTGRES.newDatabase("refuse" + DATABASES.incrementAndGet());
        connection = POSTGRES.connect(database);
        SourceSchema.create(connection);
        PagilaLoader.loadGenerated(connection, new PagilaGenerator(7, ROWS));
        config = PipelineUnderTest.config(POSTGRES.server(), database, SLOT, BronzeSchema.DEFAULT_NAME,
                CHECKPOINT_INTERVAL);
        workload = new ChangeWorkload(7, 5);
    }

    @AfterEach
    void dropSource() throws SQLException {
        connection.close();
        try (Connection c = POSTGRES.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = '"
                    + database + "' AND active_pid IS NOT NULL");
            await().atMost(FAIL_WITHIN).until(() -> {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE database = '"
                        + database + "' AND active")) {
                    rs.next();
                    return rs.getLong(1) == 0;
                }
            });
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '"
                    + database + "'");
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    @Test
    void shouldRefuseToRestoreWhenTheSlotIsGone(@TempDir Path checkpoints) throws Exception {
        Path checkpoint = runUntilACheckpointAndCancel(checkpoints);
        Map<TableId, String> bronze = bronzeFingerprint();
        try (Statement s = connection.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot('" + SLOT + "')");
        }
        workload.run(connection, 20);

        Throwable failure = restoreAndAwaitFailure(checkpoints, checkpoint);
        assertThat(ExceptionUtils.findThrowable(failure, ContractViolationException.class)).as("the refusal")
                .get().extracting(Throwable::getMessage).asString()
                .contains("replication slot " + SLOT + " does not exist")
                .contains("Rebuild: drop the bronze tables of this pipeline (or use a new bronze.schema) and start"
                        + " the job without state");
        assertThat(bronzeFingerprint()).as("bronze after the refused restore").isEqualTo(bronze);
        assertThat(slotExists()).as("the refused restore created no slot").isFalse();
    }

    @Test
    void shouldRefuseToRestoreWhenTheSlotWasConfirmedBeyondTheCheckpoint(@TempDir Path checkpoints)
            throws Exception {
        Path checkpoint = runUntilACheckpointAndCancel(checkpoints);
        Map<TableId, String> bronze = bronzeFingerprint();
        workload.run(connection, 20);
        String advancedTo;
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT end_lsn::text FROM pg_replication_slot_advance('" + SLOT + "', pg_current_wal_lsn())")) {
            rs.next();
            advancedTo = rs.getString(1);
        }

        Throwable failure = restoreAndAwaitFailure(checkpoints, checkpoint);
        assertThat(ExceptionUtils.findThrowable(failure, ContractViolationException.class)).as("the refusal")
                .get().extracting(Throwable::getMessage).asString()
                .contains("slot " + SLOT + " was confirmed up to " + advancedTo)
                .contains("Restore the latest checkpoint; give each consumer its own slot; else rebuild this"
                        + " pipeline's bronze tables from a new snapshot");
        assertThat(bronzeFingerprint()).as("bronze after the refused restore").isEqualTo(bronze);
    }

    /**
     * Runs the job (with the job's own restart strategy) through its snapshot and some streamed changes, all in
     * bronze (so a checkpoint covering them completed), cancels it keeping its checkpoints and returns the latest.
     */
    private Path runUntilACheckpointAndCancel(Path checkpoints) throws Exception {
        PipelineUnderTest first = PipelineUnderTest.start(POSTGRES.server(), config, 1, UnaryOperator.identity(),
                LocalState.retaining(checkpoints));
        try {
            Map<TableId, Long> snapshot = first.sourceCounts();
            first.awaitBronzeCounts(snapshot);
            List<CommittedTransaction> committed = workload.run(connection, 30);
            first.awaitBronzeCounts(plus(snapshot, committed));
        } finally {
            first.close();
            first.job().getJobExecutionResult().handle((result, failure) -> null).get(60, TimeUnit.SECONDS);
        }
        await("replication slot " + SLOT + " released").atMost(FAIL_WITHIN).until(() -> !slotActive());
        Optional<Path> latest = LocalState.latestOfJob(checkpoints.resolve(first.job().getJobID().toHexString()));
        assertThat(latest).as("a completed checkpoint retained under " + checkpoints).isPresent();
        return latest.get();
    }

    /**
     * Starts a new job restoring {@code checkpoint} (as {@code flink run -s} does) with the job's own restart
     * strategy, and returns the failure it ends with.
     */
    private Throwable restoreAndAwaitFailure(Path checkpoints, Path checkpoint) throws Exception {
        Configuration restoring = LocalState.retaining(checkpoints);
        restoring.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint.toUri().toString());
        PipelineUnderTest second = PipelineUnderTest.start(POSTGRES.server(), config, 1, UnaryOperator.identity(),
                restoring);
        try {
            CompletableFuture<Throwable> outcome = second.job().getJobExecutionResult()
                    .handle((result, failure) -> failure);
            Throwable failure = outcome.get(FAIL_WITHIN.toSeconds(), TimeUnit.SECONDS);
            assertThat(failure).as("the restored job failed").isNotNull();
            assertThat(ExceptionUtils.findThrowable(failure, SuppressRestartsException.class))
                    .as("the refusal suppresses the restart strategy").isPresent();
            return failure;
        } finally {
            try {
                if (second.job().getJobStatus().get() != JobStatus.FAILED) {
                    second.close();
                }
            } catch (IllegalStateException | java.util.concurrent.ExecutionException alreadyGone) {
                // the job ended and its local cluster shut down with it
            }
        }
    }

    /** Per bronze table: row count, last lsn and a hash of the rows, to show that nothing changed. */
    private Map<TableId, String> bronzeFingerprint() throws SQLException {
        BronzeSchema schema = BronzeSchema.defaultSchema();
        Map<TableId, String> fingerprint = new LinkedHashMap<>();
        try (Statement s = connection.createStatement()) {
            for (TableId table : TABLES) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) || ' rows, lsn ' || coalesce(max(lsn), 0)"
                        + " || ', ' || coalesce(md5(string_agg(lsn || op || full_row::text || source_lsn, ','"
                        + " ORDER BY lsn)), '-') FROM " + schema.tableOf(table))) {
                    rs.next();
                    fingerprint.put(table, rs.getString(1));
                }
            }
        }
        return fingerprint;
    }

    private boolean slotExists() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, SLOT);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private boolean slotActive() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, SLOT);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}
