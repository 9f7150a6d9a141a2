package io.bronzecdc.spark.job;

import io.bronzecdc.model.ExitCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import io.bronzecdc.model.postgres.SourceConnectionException;
import io.bronzecdc.testkit.pagila.PagilaGenerator;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.model.testing.ConnectionFaults;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import io.bronzecdc.spark.testing.BatchPipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
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
 * Bronze in its own database ({@code target:}) on a second PostgreSQL server: the slot, the snapshot and the peek
 * stay on the source, the bronze rows and the progress markers go to the target, and the slot advances only after
 * the target commit. Runs die between that commit and the slot advance (and at the points around it) and the
 * reruns end with every change exactly once; an unreachable target stops the run before the slot is touched.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeparateTargetBatchIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();
    @TempDir
    static Path configDir;

    private static final int CHUNK = 25;
    private static final String SLOT = "it_target";
    private static final String SCHEMA = "lake_bronze";

    private static SparkSession spark;
    private static EmbeddedPostgresServer targetServer;
    private static BatchPipeline pipeline;
    private static Map<TableId, Long> snapshot;
    private static final List<CommittedTransaction> COMMITTED = new ArrayList<>();

    @BeforeAll
    static void createSourceAndTarget() throws Exception {
        spark = BatchPipeline.localSession("SeparateTargetBatchIT");
        targetServer = EmbeddedPostgresServer.start();
        targetServer.createDatabase("lake");
        try (Connection c = POSTGRES.connect()) {
            SourceSchema.create(c);
            PagilaLoader.loadGenerated(c, new PagilaGenerator(11, new PagilaGenerator.Counts(60, 300, 300)));
            snapshot = BatchPipeline.sourceCounts(c);
        }
        pipeline = BatchPipeline.create(POSTGRES.server(), POSTGRES.database(), SLOT, SCHEMA, configDir)
                .withTarget(targetServer, "lake");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (targetServer != null) {
            targetServer.close();
        }
    }

    @Test
    @Order(1)
    void shouldStopAtAnUnreachableTargetNamingItsKeysWithoutTouchingTheSlot() throws Exception {
        BatchPipeline noDatabase = BatchPipeline.create(POSTGRES.server(), POSTGRES.database(), "it_notarget",
                "nowhere_bronze", configDir).withTarget(targetServer, "no_such_lake");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = MicroBatchJob.execute(new String[] {"--config", configDir.resolve("it_notarget.yaml").toString(),
                "--retries", "0"}, BatchPipeline.ENVIRONMENT, RunHooks.NONE, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(exit).isEqualTo(ExitCode.NOT_READY.code());
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("database 'no_such_lake' does not exist on 127.0.0.1:" + targetServer.port())
                .contains("Fix target.database").doesNotContain("source.database").doesNotContain("\tat ");
        assertThatThrownBy(() -> new MicroBatchRun(noDatabase.config(), RunOptions.defaults()).run())
                .isInstanceOf(SourceConnectionException.class).hasMessageContaining("target.database");
        try (Connection c = POSTGRES.connect()) {
            assertThat(BatchPipeline.single(c, "SELECT count(*) FROM pg_replication_slots"
                    + " WHERE slot_name = 'it_notarget'")).as("no slot created").isZero();
            assertThat(BatchPipeline.single(c, "SELECT count(*) FROM pg_namespace WHERE nspname = 'nowhere_bronze'"))
                    .isZero();
        }
    }

    @Test
    @Order(1)
    void shouldStopAtATargetThatRefusesThePasswordWithoutTouchingTheSlot() throws Exception {
        Path dir = configDir.resolve("faults");
        java.nio.file.Files.createDirectories(dir);
        try (ConnectionFaults faults = ConnectionFaults.start(dir)) {
            BatchPipeline.create(POSTGRES.server(), POSTGRES.database(), "it_pwtarget", "pw_bronze", configDir);
            Path password = java.nio.file.Files.writeString(dir.resolve("target.password"),
                    ConnectionFaults.WRONG_PASSWORD + "\n");
            Path config = configDir.resolve("it_pwtarget.yaml");
            java.nio.file.Files.writeString(config, String.join("\n",
                    "target:",
                    "  host: 127.0.0.1",
                    "  port: " + faults.server().port(),
                    "  database: " + ConnectionFaults.DATABASE,
                    "  user: " + ConnectionFaults.USER,
                    "  password: {file: " + password + "}",
                    "  sslmode: disable",
                    ""), java.nio.file.StandardOpenOption.APPEND);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = MicroBatchJob.execute(new String[] {"--config", config.toString(), "--retries", "0"},
                    BatchPipeline.ENVIRONMENT, RunHooks.NONE, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));

            assertThat(exit).isEqualTo(ExitCode.NOT_READY.code());
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .contains("the server rejected the password of role " + ConnectionFaults.USER)
                    .contains("Check target.password").doesNotContain(ConnectionFaults.WRONG_PASSWORD, "\tat ");
            try (Connection c = POSTGRES.connect()) {
                assertThat(BatchPipeline.single(c, "SELECT count(*) FROM pg_replication_slots"
                        + " WHERE slot_name = 'it_pwtarget'")).as("no slot created").isZero();
            }
            faults.assertNothingWritten("it_pwtarget");
        }
    }

    @Test
    @Order(2)
    void shouldWriteSnapshotAndChangesIntoTheTargetOnly() throws Exception {
        try (Connection source = POSTGRES.connect(); Connection target = targetServer.connect("lake")) {
            assertThat(pipeline.run(RunHooks.NONE, CHUNK)).isEqualTo(ExitCode.SUCCESS.code());
            for (int run = 0; run < 3; run++) {
                COMMITTED.addAll(new ChangeWorkload(300 + run, 4).run(source, 30));
                assertThat(pipeline.run(RunHooks.NONE, CHUNK)).isEqualTo(ExitCode.SUCCESS.code());
            }
            pipeline.assertExactLog(target, source, snapshot, COMMITTED);
            assertThat(BatchPipeline.single(source, "SELECT count(*) FROM pg_namespace WHERE nspname = '" + SCHEMA
                    + "'")).as("nothing of bronze in the source database").isZero();
            assertThat(confirmedFlush(source)).as("slot advanced to what the target covers")
                    .isEqualTo(coveredLsn(target));
        }
    }

    /**
     * The sharp window: the target transaction (rows and progress marker) committed, the slot on the source not
     * advanced yet. The rerun peeks the same changes again and must skip exactly what the target holds.
     */
    @Test
    @Order(3)
    void shouldAppendEveryChangeExactlyOnceAfterRunsDiedAroundTheTargetCommit() throws Exception {
        try (Connection source = POSTGRES.connect(); Connection target = targetServer.connect("lake")) {
            int seed = 400;
            for (RunPoint point : List.of(RunPoint.BEFORE_COMMIT, RunPoint.COMMITTED, RunPoint.SLOT_ADVANCED)) {
                COMMITTED.addAll(new ChangeWorkload(seed++, 4).run(source, 40));
                AtomicReference<PgLsn> slotAtCrash = new AtomicReference<>();
                assertThat(pipeline.run(crashAt(point, () -> slotAtCrash.set(confirmedFlush(source))), CHUNK))
                        .as("run crashed at %s", point).isEqualTo(ExitCode.FAILED.code());
                if (point == RunPoint.COMMITTED) {
                    assertThat(slotAtCrash.get()).as("the slot had not moved when the run died after the target"
                            + " commit").isLessThan(coveredLsn(target));
                }
                COMMITTED.addAll(new ChangeWorkload(seed++, 4).run(source, 15));

                assertThat(pipeline.run(RunHooks.NONE, CHUNK)).as("rerun after a crash at %s", point)
                        .isEqualTo(ExitCode.SUCCESS.code());
                pipeline.assertExactLog(target, source, snapshot, COMMITTED);
                assertThat(confirmedFlush(source)).isEqualTo(coveredLsn(target));
            }
        }
    }

    /** The validation job reads bronze from the target and the source rows from the source. */
    @Test
    @Order(4)
    void shouldValidateAcrossTheTwoDatabasesAndFindADifferenceInTheTarget() throws Exception {
        assertThat(validationJob()).isEqualTo(ExitCode.SUCCESS.code());
        try (Connection target = targetServer.connect("lake"); Statement s = target.createStatement()) {
            s.execute("UPDATE " + SCHEMA + ".br_customer_cdc SET full_row = full_row || '{\"active\": 9}'"
                    + " WHERE lsn = 1");
            assertThat(validationJob()).as("a changed bronze row in the target").isEqualTo(ExitCode.CHECK_FAILED.code());
        }
    }

    private static int validationJob() {
        return ValidationJob.execute(new String[] {"--config", configDir.resolve(SLOT + ".yaml").toString()},
                BatchPipeline.ENVIRONMENT, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()));
    }

    private static PgLsn confirmedFlush(Connection source) {
        try (Statement s = source.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'")) {
            rs.next();
            return PgLsn.parse(rs.getString(1));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PgLsn coveredLsn(Connection target) throws SQLException {
        try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery("SELECT covered_lsn::text FROM "
                + SCHEMA + ".bronze_batch_progress WHERE slot_name = '" + SLOT + "'")) {
            rs.next();
            return PgLsn.parse(rs.getString(1));
        }
    }

    /** Hooks that run {@code before} and then throw the first time the run reaches {@code point}. */
    private static RunHooks crashAt(RunPoint point, Runnable before) {
        AtomicBoolean crashed = new AtomicBoolean();
        return reached -> {
            if (reached == point && crashed.compareAndSet(false, true)) {
                before.run();
                throw new IllegalStateException("simulated crash at " + point);
            }
        };
    }
}
