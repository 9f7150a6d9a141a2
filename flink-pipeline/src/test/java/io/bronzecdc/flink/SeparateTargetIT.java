package io.bronzecdc.flink;

import static io.bronzecdc.flink.testing.PipelineUnderTest.TABLES;
import static io.bronzecdc.flink.testing.PipelineUnderTest.committedChanges;
import static io.bronzecdc.flink.testing.PipelineUnderTest.plus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.bronzecdc.flink.sink.JdbcTarget;
import io.bronzecdc.flink.source.CapturedChange;
import io.bronzecdc.flink.testing.PipelineUnderTest;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.Secret;
import io.bronzecdc.model.config.SslMode;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import io.bronzecdc.testkit.pagila.PagilaGenerator;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import io.bronzecdc.model.testing.ConnectionFaults;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bronze in its own database ({@code target:}) on a second PostgreSQL server. The sink prepares its transaction on
 * the target at each checkpoint barrier and commits it when the checkpoint completes; Flink CDC advances the slot
 * on the source when the checkpoint completes too. A kill between the two (the target committed, the slot not yet
 * advanced) restarts from that checkpoint: the committer finds its transaction already committed, the source
 * resumes at the checkpoint's position, and nothing is lost or doubled.
 */
class SeparateTargetIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(200);
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final PagilaGenerator.Counts ROWS = new PagilaGenerator.Counts(200, 2_000, 2_000);
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private static EmbeddedPostgresServer targetServer;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void startTargetServer() {
        targetServer = EmbeddedPostgresServer.start();
    }

    @AfterAll
    static void stopTargetServer() {
        if (targetServer != null) {
            targetServer.close();
        }
    }

    @AfterEach
    void closeResources() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void shouldStreamSnapshotAndChangesIntoTheTargetDatabaseOnly() throws Exception {
        long seed = 51;
        Connection source = sourceDatabase(seed);
        PipelineConfig config = targetConfig(source.getCatalog(), "it_target_stream");
        PipelineUnderTest pipeline = start(PipelineUnderTest.start(POSTGRES.server(), config));
        Map<TableId, Long> snapshot = pipeline.sourceCounts();
        pipeline.awaitBronzeCounts(snapshot);

        List<CommittedTransaction> committed = new ChangeWorkload(seed, 5).run(source, 150);
        Map<TableId, Long> expected = plus(snapshot, committed);
        pipeline.awaitBronzeCounts(expected);
        assertValid(pipeline, source, committed, seed);
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT count(*) FROM pg_namespace WHERE nspname = '" + BronzeSchema.DEFAULT_NAME + "'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("nothing of bronze in the source database").isZero();
        }
        pipeline.assertNothingMoreArrives(expected, Duration.ofSeconds(1));
    }

    @Test
    void shouldLoseAndDoubleNothingWhenKilledBetweenTheTargetCommitAndTheSlotAdvance() throws Exception {
        long seed = 53;
        Connection source = sourceDatabase(seed);
        PipelineConfig config = targetConfig(source.getCatalog(), "it_target_kill");
        String testId = "kill-" + seed;
        Kill kill = new Kill();
        Kill.ALL.put(testId, kill);
        resources.add(() -> Kill.ALL.remove(testId));
        KillAfterTargetCommit injector = new KillAfterTargetCommit(testId, 300, JdbcTarget.of(config),
                new JdbcTarget(config.source().jdbcUrl(), config.source().user(), config.source().password().reveal()),
                "bronze-cdc:" + BronzeCdcJob.sinkId(config) + ":", config.source().slotName());
        Configuration restarting = new Configuration();
        restarting.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarting.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        restarting.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        PipelineUnderTest pipeline = start(PipelineUnderTest.start(POSTGRES.server(), config, 1,
                captured -> captured.map(injector).returns(captured.getType()).uid("kill-after-target-commit")
                        .name("kill-after-target-commit"), restarting));
        Map<TableId, Long> snapshot = pipeline.sourceCounts();
        pipeline.awaitBronzeCounts(snapshot);

        ChangeWorkload workload = new ChangeWorkload(seed, 5);
        List<CommittedTransaction> committed = new ArrayList<>();
        await("the kill after a target commit").atMost(WAIT).until(() -> {
            committed.addAll(workload.run(source, 10));
            return kill.fired.get();
        });
        assertThat(kill.preparedAtKill.get()).as("the sink's transactions were committed on the target").isZero();
        assertThat(kill.slotAtKill.get()).as("the slot had not advanced over what the target committed")
                .isLessThan(kill.targetAtKill.get());
        await("the injector opened again after the restart").atMost(WAIT).until(() -> kill.opened.get() >= 2);
        committed.addAll(workload.run(source, 100));

        Map<TableId, Long> expected = plus(snapshot, committed);
        pipeline.awaitBronzeCounts(expected);
        assertValid(pipeline, source, committed, seed);
        pipeline.assertNothingMoreArrives(expected, Duration.ofSeconds(1));
    }

    /**
     * A target that refuses the password: the job is not submitted, the one message names the target keys and
     * neither password, and the source is left alone (no publication from --init, no slot).
     */
    @Test
    void shouldRefuseAWrongTargetPasswordNamingTheTargetKeysAndTouchNothing(@TempDir Path dir) throws Exception {
        try (ConnectionFaults faults = ConnectionFaults.start(dir)) {
            Connection source = sourceDatabase(57);
            Path password = Files.writeString(dir.resolve("target.password"), ConnectionFaults.WRONG_PASSWORD + "\n");
            Path sourcePassword = Files.writeString(dir.resolve("source.password"), "trust-auth-ignores-it\n");
            Path yaml = Files.writeString(dir.resolve("pipeline.yaml"), String.join("\n",
                    "source:",
                    "  host: 127.0.0.1",
                    "  port: " + POSTGRES.server().port(),
                    "  database: " + source.getCatalog(),
                    "  user: " + EmbeddedPostgresServer.SUPERUSER,
                    "  password: {file: " + sourcePassword + "}",
                    "  sslmode: disable",
                    "  slot: {name: it_target_refused}",
                    "  publication: {name: it_target_refused_pub}",
                    "target:",
                    "  host: 127.0.0.1",
                    "  port: " + faults.server().port(),
                    "  database: " + ConnectionFaults.DATABASE,
                    "  user: " + ConnectionFaults.USER,
                    "  password: {file: " + password + "}",
                    "  sslmode: disable",
                    "tables: [customer, payment, rental]",
                    ""));
            StringWriter err = new StringWriter();
            int exit = BronzeCdcJob.commandLine().setErr(new PrintWriter(err)).execute("--config", yaml.toString(),
                    "--init");

            assertThat(exit).isEqualTo(BronzeCdcJob.EXIT_NOT_READY);
            assertThat(err.toString()).startsWith("bronze-cdc: Cannot connect to database "
                    + ConnectionFaults.DATABASE + " at 127.0.0.1:" + faults.server().port())
                    .contains("the server rejected the password of role " + ConnectionFaults.USER,
                            "Check target.password")
                    .doesNotContain("source.password", "\tat ", ConnectionFaults.WRONG_PASSWORD);
            try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery("SELECT"
                    + " (SELECT count(*) FROM pg_publication WHERE pubname = 'it_target_refused_pub')"
                    + " + (SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'it_target_refused')")) {
                rs.next();
                assertThat(rs.getLong(1)).as("publication and slot on the source").isZero();
            }
            faults.assertNothingWritten("it_target_refused");
        }
    }

    /** Preflight checks each side on its own database and says which side each problem is on. */
    @Test
    void shouldNameTheSideOfEachPreflightProblem() throws Exception {
        Connection source = sourceDatabase(59);
        String lake = "lake_" + source.getCatalog();
        try (Connection c = targetServer.connect(lake); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE lake_reader LOGIN");
        }
        try (Statement s = source.createStatement()) {
            s.execute("ALTER TABLE rental REPLICA IDENTITY DEFAULT");
        }
        PipelineConfig config = targetConfig(source.getCatalog(), "it_target_sides");
        PipelineConfig.Database t = config.bronzeDatabase();
        PipelineConfig readerOnLake = new PipelineConfig(config.source(), new PipelineConfig.BronzeConfig(
                BronzeSchema.DEFAULT_NAME, Optional.of(new PipelineConfig.TargetConfig(t.host(), t.port(),
                        t.database(), "lake_reader", t.password(), t.sslMode()))), config.tables(),
                config.batchInterval(), config.lagThreshold(), config.checkpointInterval());

        assertThatThrownBy(() -> BronzeCdcJob.prepare(readerOnLake, 1, false, false))
                .isInstanceOf(io.bronzecdc.flink.preflight.PreflightException.class)
                .hasMessageStartingWith("source database " + source.getCatalog() + " or target database " + lake
                        + " is not ready")
                .hasMessageContaining("- source database " + source.getCatalog() + ": REPLICA IDENTITY is not FULL"
                        + " on public.rental")
                .hasMessageContaining("- target database " + lake + ": role lake_reader may not create the bronze"
                        + " schema cdc_bronze (it lacks CREATE on database " + lake + ")");
    }

    private Connection sourceDatabase(long seed) throws SQLException {
        String database = POSTGRES.newDatabase("src" + DATABASES.incrementAndGet());
        Connection c = POSTGRES.connect(database);
        resources.add(c);
        SourceSchema.create(c);
        PagilaLoader.loadGenerated(c, new PagilaGenerator(seed, ROWS));
        targetServer.createDatabase("lake_" + database);
        return c;
    }

    private PipelineUnderTest start(PipelineUnderTest pipeline) {
        resources.add(pipeline);
        return pipeline;
    }

    /** Source {@code database} on the extension's server; bronze in {@code lake_<database>} on the second one. */
    private static PipelineConfig targetConfig(String database, String slot) {
        PipelineConfig sourceOnly = PipelineUnderTest.config(POSTGRES.server(), database, slot,
                BronzeSchema.DEFAULT_NAME, CHECKPOINT_INTERVAL);
        PipelineConfig.TargetConfig target = new PipelineConfig.TargetConfig("127.0.0.1", targetServer.port(),
                "lake_" + database, EmbeddedPostgresServer.SUPERUSER, Secret.of("trust-auth-ignores-it"),
                SslMode.DISABLE);
        return new PipelineConfig(sourceOnly.source(), new PipelineConfig.BronzeConfig(BronzeSchema.DEFAULT_NAME,
                Optional.of(target)), sourceOnly.tables(), sourceOnly.batchInterval(), sourceOnly.lagThreshold(),
                sourceOnly.checkpointInterval());
    }

    /** Streamed changes equal the committed history; the validator across both databases finds nothing. */
    private static void assertValid(PipelineUnderTest pipeline, Connection source,
            List<CommittedTransaction> committed, long seed) throws SQLException {
        for (TableId table : TABLES) {
            assertThat(pipeline.streamedChanges(table)).as("bronze order of " + table + " = commit order (seed "
                    + seed + ")").containsExactlyElementsOf(committedChanges(committed, table));
        }
        try (Connection target = pipeline.connect()) {
            var report = BronzeValidator.validate(target, source, BronzeSchema.defaultSchema(), TABLES,
                    ValidationOptions.defaults().withCommitTimeTolerance(Duration.ZERO));
            assertThat(report.violations()).as(report.toText()).isEmpty();
        }
    }

    /** What the kill saw; JVM-wide because the MiniCluster deserializes a fresh injector on every (re)start. */
    static final class Kill {
        static final Map<String, Kill> ALL = new ConcurrentHashMap<>();

        final AtomicBoolean fired = new AtomicBoolean();
        final AtomicInteger opened = new AtomicInteger();
        final AtomicLong streamed = new AtomicLong();
        final AtomicLong preparedAtKill = new AtomicLong(-1);
        final AtomicReference<PgLsn> slotAtKill = new AtomicReference<>();
        final AtomicReference<PgLsn> targetAtKill = new AtomicReference<>();
    }

    /**
     * Runs in the source's task, chained after it. When a checkpoint that covers at least {@code afterStreamed}
     * streamed records completes, it waits in its own completion callback (which runs before the source reader's,
     * the chain's head, is notified) until the sink has committed that checkpoint's transaction on the target,
     * then fails the task: the target commit is done, the slot advance is not.
     */
    static final class KillAfterTargetCommit extends RichMapFunction<CapturedChange, CapturedChange>
            implements CheckpointListener, CheckpointedFunction {
        private static final long serialVersionUID = 1L;

        private final String testId;
        private final long afterStreamed;
        private final JdbcTarget target;
        private final JdbcTarget source;
        private final String gidPrefix;
        private final String slot;
        private transient Map<Long, Long> streamedAtCheckpoint;

        KillAfterTargetCommit(String testId, long afterStreamed, JdbcTarget target, JdbcTarget source,
                String gidPrefix, String slot) {
            this.testId = testId;
            this.afterStreamed = afterStreamed;
            this.target = target;
            this.source = source;
            this.gidPrefix = gidPrefix;
            this.slot = slot;
        }

        private Kill kill() {
            return Kill.ALL.get(testId);
        }

        @Override
        public void open(OpenContext openContext) {
            kill().opened.incrementAndGet();
            streamedAtCheckpoint = new ConcurrentHashMap<>();
        }

        @Override
        public CapturedChange map(CapturedChange change) {
            if (!change.snapshot()) {
                kill().streamed.incrementAndGet();
            }
            return change;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            streamedAtCheckpoint.put(context.getCheckpointId(), kill().streamed.get());
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            Long streamed = streamedAtCheckpoint.remove(checkpointId);
            Kill kill = kill();
            if (streamed == null || streamed < afterStreamed || kill.fired.get()) {
                return;
            }
            // No later barrier passes this task while it waits here, so nothing new gets prepared meanwhile.
            long prepared = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(this::preparedTransactions, count -> count == 0);
            kill.preparedAtKill.set(prepared);
            kill.slotAtKill.set(PgLsn.parse(single(source, "SELECT confirmed_flush_lsn::text FROM"
                    + " pg_replication_slots WHERE slot_name = '" + slot + "'")));
            kill.targetAtKill.set(PgLsn.of(Long.parseLong(single(target, "SELECT max(m) FROM (" + String.join(
                    " UNION ALL ", TABLES.stream().map(t -> "SELECT max(source_lsn) m FROM "
                            + BronzeSchema.defaultSchema().tableOf(t)).toList()) + ") x"))));
            kill.fired.set(true);
            throw new IllegalStateException("injected kill after the target commit of checkpoint " + checkpointId
                    + ", before the slot advance (" + testId + ")");
        }

        private long preparedTransactions() throws SQLException {
            return Long.parseLong(single(target, "SELECT count(*) FROM pg_prepared_xacts"
                    + " WHERE database = current_database() AND starts_with(gid, '" + gidPrefix + "')"));
        }

        private static String single(JdbcTarget database, String sql) throws SQLException {
            try (Connection c = database.connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
