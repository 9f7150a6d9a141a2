package io.bronzecdc.flink;

import static io.bronzecdc.flink.testing.PipelineUnderTest.TABLES;
import static io.bronzecdc.flink.testing.PipelineUnderTest.committedChanges;
import static io.bronzecdc.flink.testing.PipelineUnderTest.plus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.bronzecdc.flink.preflight.PreflightException;
import io.bronzecdc.flink.preflight.RecordedSource;
import io.bronzecdc.flink.testing.BackgroundWorkload;
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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The documented switch of an existing pipeline between the two Flink sources, under a workload that keeps
 * committing throughout: the job runs with one source, is stopped with a savepoint while changes stream, a restore
 * with the other {@code source.connector} is refused by the preflight (the source is recorded in bronze), and the
 * job started from the savepoint with {@code --switch-source} continues with the other source from the slot's
 * position. Bronze ends exactly as the source: every committed change once (exact counts), lsn dense, streamed
 * changes in commit order, replay equal to the source, and nothing more arrives.
 */
class SourceSwitchIT {
    private static final Logger LOG = LoggerFactory.getLogger(SourceSwitchIT.class);
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final PagilaGenerator.Counts ROWS = new PagilaGenerator.Counts(300, 1_500, 1_500);
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(200);
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String SLOT = "it_switch";

    private final List<AutoCloseable> resources = new ArrayList<>();
    private String database;

    @AfterEach
    void cleanUp() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable resource : resources) {
            resource.close();
        }
        if (database != null) {
            try (Connection c = POSTGRES.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = '"
                        + database + "' AND active_pid IS NOT NULL");
                await().atMost(WAIT).until(() -> {
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE database"
                            + " = '" + database + "' AND active")) {
                        rs.next();
                        return rs.getLong(1) == 0;
                    }
                });
                s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '"
                        + database + "'");
                try (ResultSet rs = s.executeQuery("SELECT gid FROM pg_prepared_xacts WHERE database = '" + database
                        + "'")) {
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
    }

    @ParameterizedTest(name = "{0} -> {1}, seed {2}")
    @CsvSource({"pgoutput, flink-cdc, 61", "flink-cdc, pgoutput, 67"})
    void shouldSwitchTheSourceWithNothingLostOrDoubled(String from, String to, long seed, @TempDir Path checkpoints)
            throws Exception {
        LOG.info("Switching {} -> {} with seed {}", from, to, seed);
        database = POSTGRES.newDatabase("switch_" + from.replace('-', '_') + "_" + seed);
        Connection connection = POSTGRES.connect(database);
        resources.add(connection);
        SourceSchema.create(connection);
        PagilaLoader.loadGenerated(connection, new PagilaGenerator(seed, ROWS));
        PipelineConfig before = PipelineUnderTest.config(POSTGRES.server(), database, SLOT, BronzeSchema.DEFAULT_NAME,
                CHECKPOINT_INTERVAL).withConnector(SourceConnector.parse(from));
        PipelineConfig after = before.withConnector(SourceConnector.parse(to));
        ChangeWorkload changes = new ChangeWorkload(seed, 5);

        PipelineUnderTest first = PipelineUnderTest.start(POSTGRES.server(), before, 1, UnaryOperator.identity(),
                withoutRestarts(checkpoints));
        resources.add(() -> stop(first));
        Map<TableId, Long> snapshot = first.sourceCounts();
        first.awaitBronzeCounts(snapshot);
        assertThat(recorded(connection)).as("the source recorded at the first start").isEqualTo(from);

        BackgroundWorkload workload = new BackgroundWorkload(changes, POSTGRES.connect(database), "switch");
        resources.add(workload);
        awaitStreamed(first, workload, 300);
        String savepoint = first.job().stopWithSavepoint(false, checkpoints.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        first.job().getJobExecutionResult().handle((result, failure) -> null).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await("slot released").atMost(WAIT).until(() -> !slotActive(connection));
        long committedAtStop = workload.committed();
        LOG.info("Stopped with savepoint {} after {} committed transactions; bronze {}", savepoint, committedAtStop,
                first.bronzeCounts());

        Configuration restoring = withoutRestarts(checkpoints);
        restoring.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        assertThatThrownBy(() -> PipelineUnderTest.start(POSTGRES.server(), after, 1, UnaryOperator.identity(),
                restoring)).as("a restore with the other source, without the switch")
                .isInstanceOf(PreflightException.class)
                .hasMessageContaining("records that pipeline " + SLOT + " reads its slot with source.connector: "
                        + from)
                .hasMessageContaining("but the config says " + to)
                .hasMessageContaining("start the job from that savepoint with --switch-source");

        PipelineUnderTest second = PipelineUnderTest.startSwitchingSource(POSTGRES.server(), after, 1, restoring);
        resources.add(() -> stop(second));
        assertThat(recorded(connection)).as("the source recorded by the switch").isEqualTo(to);
        await("the workload kept committing across the switch").atMost(WAIT)
                .until(() -> workload.committed() > committedAtStop + 20);
        awaitStreamed(second, workload, streamedRows(second) + 300);
        List<CommittedTransaction> committed = workload.stop();

        Map<TableId, Long> expected = plus(snapshot, committed);
        second.awaitBronzeCounts(expected);
        for (TableId table : TABLES) {
            assertThat(second.streamedChanges(table)).as("bronze order of " + table + " = commit order (" + from
                    + " -> " + to + ", seed " + seed + ")").containsExactlyElementsOf(committedChanges(committed, table));
        }
        assertThat(BronzeValidator.validate(connection, BronzeSchema.defaultSchema(), TABLES,
                ValidationOptions.defaults().withCommitTimeTolerance(Duration.ZERO)).violations())
                .as("validation after " + from + " -> " + to).isEmpty();
        second.assertNothingMoreArrives(expected, Duration.ofSeconds(1));
    }

    private static void stop(PipelineUnderTest pipeline) throws Exception {
        pipeline.close();
        pipeline.job().getJobExecutionResult().handle((result, failure) -> null).get(60, TimeUnit.SECONDS);
    }

    private static Configuration withoutRestarts(Path checkpoints) {
        Configuration conf = LocalState.retaining(checkpoints);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return conf;
    }

    private static String recorded(Connection c) throws SQLException {
        return RecordedSource.read(c, BronzeSchema.defaultSchema(), SLOT).orElseThrow().connector().value();
    }

    private static boolean slotActive(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, SLOT);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static void awaitStreamed(PipelineUnderTest pipeline, BackgroundWorkload workload, long rows) {
        await("bronze holds " + rows + " streamed rows").atMost(WAIT).until(() -> {
            workload.requireRunning();
            return streamedRows(pipeline) >= rows;
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
}
