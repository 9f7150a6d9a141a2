package io.bronzecdc.spark.job;

import io.bronzecdc.model.ExitCode;
import static io.bronzecdc.spark.testing.BatchPipeline.single;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.PipelineConfigLoader;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.CapturedLog;
import io.bronzecdc.model.testing.LateTableSource;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.RowChurn;
import io.bronzecdc.model.testing.TestPipelineYaml;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.spark.testing.BatchPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table created while the pipeline runs ({@code include: ["app.*"]}) is captured from its first row: the next run
 * publishes it (or, for a role that may not, warns once naming the statements and captures it after an
 * administrator ran them), snapshots it and hands over to the stream exactly, while a seeded writer changes it
 * before, during and after the snapshot. Bronze of the new table replays to the source, lsn dense from 1, first
 * row included, and every validator passes. Seeds are printed; replay one with {@code -Dbronze.late.seed=N}.
 */
class LateTableBatchIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();
    @TempDir
    static Path configDir;

    private static final TableId BASE = new TableId("app", "base");
    private static final TableId LATE = new TableId("app", "late");
    private static final long SEED = Long.getLong("bronze.late.seed", System.nanoTime());
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        System.out.println("LateTableBatchIT seed " + SEED + " (replay with -Dbronze.late.seed=" + SEED + ")");
        spark = BatchPipeline.localSession("LateTableBatchIT");
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void shouldPublishAndCaptureATableCreatedLaterWhenTheRoleOwnsIt() throws Exception {
        String database = POSTGRES.newDatabase("late_owner");
        Path config = createPipeline(database, "late_own", "FOR TABLE app.base", EmbeddedRole.SUPERUSER);
        captureWhileWriting(database, config, "late_own", new Random(SEED), true);
        try (Connection c = POSTGRES.connect(database)) {
            assertThat(single(c, "SELECT count(*) FROM pg_publication_tables WHERE pubname = 'late_own_pub'"
                    + " AND schemaname = 'app' AND tablename = 'late'")).as("published by the run").isEqualTo(1);
            assertThat(single(c, "SELECT count(*) FROM pg_class WHERE oid = 'app.late'::regclass"
                    + " AND relreplident = 'f'")).as("REPLICA IDENTITY FULL set by the run").isEqualTo(1);
        }
    }

    @Test
    void shouldCaptureATableCreatedLaterInASchemaPublication() throws Exception {
        String database = POSTGRES.newDatabase("late_schema");
        Path config = createPipeline(database, "late_sch", "FOR TABLES IN SCHEMA app", EmbeddedRole.SUPERUSER);
        // Published from its creation: the changes before the run are streamed and in the snapshot too, so
        // the handover must drop exactly those.
        captureWhileWriting(database, config, "late_sch", new Random(SEED + 1), false);
    }

    @Test
    void shouldWarnOnceNamingTheStatementWhenTheRoleMayNotPublishAndCaptureOnceAnAdministratorDid() throws Exception {
        String database = POSTGRES.newDatabase("late_reader");
        Path config = createPipeline(database, "late_np", "FOR TABLE app.base", EmbeddedRole.READER);
        CapturedLog log = CapturedLog.of(NewTables.class);
        try (Connection admin = POSTGRES.connect(database); Statement s = admin.createStatement()) {
            createLateTable(s);
            try (RowChurn writer = new RowChurn(POSTGRES.connect(database), "app.late", SEED + 2)) {
                writer.awaitMore(20);
                assertThat(run(config, RunHooks.NONE)).as("run with an unpublishable new table").isZero();
                assertThat(run(config, RunHooks.NONE)).as("again").isZero();
                List<String> warnings = log.lines().stream().filter(l -> l.startsWith("WARN")
                        && l.contains("app.late")).toList();
                assertThat(warnings).as("warned once, naming the table and the statements").singleElement()
                        .asString().contains("BEGIN; LOCK TABLE \"app\".\"late\" IN ACCESS EXCLUSIVE MODE; ALTER TABLE app.late REPLICA IDENTITY FULL")
                        .contains("ALTER PUBLICATION \"late_np_pub\" ADD TABLE \"app\".\"late\"").contains("late_reader");
                assertThat(single(admin, "SELECT count(*) FROM late_np_bronze.bronze_tables"
                        + " WHERE source_table = 'late'")).as("not captured yet").isZero();
                assertThat(ValidationJob.execute(new String[] {"--config", config.toString()},
                        BatchPipeline.ENVIRONMENT, System.out, System.err))
                        .as("validation of what is captured while app.late waits").isZero();
                writer.awaitMore(20);
                // As the warning says, in one transaction behind a lock: no write straddles the change.
                s.execute("BEGIN; LOCK TABLE \"app\".\"late\" IN ACCESS EXCLUSIVE MODE;"
                        + " ALTER TABLE app.late REPLICA IDENTITY FULL;"
                        + " ALTER PUBLICATION \"late_np_pub\" ADD TABLE \"app\".\"late\"; COMMIT;");
                writer.awaitMore(20);
                assertThat(run(config, RunHooks.NONE)).as("run after the administrator published it").isZero();
                writer.awaitMore(20);
            } finally {
                log.close();
            }
            assertThat(run(config, RunHooks.NONE)).as("last run").isZero();
            assertExact(admin, config, "late_np");
        }
    }

    /**
     * The continuous query ({@code --every}): batches land while a writer changes app.base; a table created while
     * the query runs makes it stop, bring the table in with its snapshot and start again, and the writer's changes
     * to it land too. Stopping the query ends the job with exit 0.
     */
    @Test
    void shouldBringInATableCreatedWhileTheQueryRunsEveryInterval() throws Exception {
        String database = POSTGRES.newDatabase("late_every");
        Path config = createPipeline(database, "late_every", "FOR TABLE app.base", EmbeddedRole.SUPERUSER);
        CapturedLog log = CapturedLog.of(MicroBatchRun.class);
        AtomicInteger exit = new AtomicInteger(-1);
        Thread job = new Thread(() -> exit.set(MicroBatchJob.execute(new String[] {"--config", config.toString(),
                "--retries", "0", "--every", "300ms"}, BatchPipeline.ENVIRONMENT, RunHooks.NONE)), "late-every-job");
        try (Connection admin = POSTGRES.connect(database); Statement s = admin.createStatement()) {
            try (RowChurn base = new RowChurn(POSTGRES.connect(database), "app.base", SEED + 5)) {
                job.start();
                base.awaitMore(30);
                await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> assertThat(streamedRows(admin, "base"))
                        .as("streamed changes of app.base in bronze").isPositive());
                createLateTable(s);
                try (RowChurn late = new RowChurn(POSTGRES.connect(database), "app.late", SEED + 6)) {
                    late.awaitMore(30);
                    await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> assertThat(streamedRows(admin, "late"))
                            .as("streamed changes of app.late, a table created while the query ran").isPositive());
                }
            }
            assertThat(log.lines()).as("the query stopped to bring the new table in")
                    .anyMatch(l -> l.contains("stopping the query to bring them in"));
            assertThat(MicroBatchRun.requestStop("late_every")).as("the job's query is running").isTrue();
            job.join(Duration.ofMinutes(1).toMillis());
            assertThat(job.isAlive()).as("the job ended when its query was stopped").isFalse();
            assertThat(exit.get()).as("exit code of the job whose query was stopped").isZero();
            assertThat(run(config, RunHooks.NONE)).as("last run").isZero();
            assertExact(admin, config, "late_every");
        } finally {
            log.close();
            MicroBatchRun.requestStop("late_every");
        }
    }

    /** Streamed rows of {@code app.<table>} in bronze; 0 before its change log exists. */
    private static long streamedRows(Connection c, String table) throws SQLException {
        try {
            return single(c, "SELECT count(*) FROM " + new BronzeSchema("late_every_bronze").tableOf(
                    new TableId("app", table)) + " WHERE tx_id IS NOT NULL");
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return 0;
            }
            throw e;
        }
    }

    /**
     * A transaction whose commit record is written before the snapshot but that is not yet visible in it (held in
     * a synchronous-replication wait) must be streamed: skipping every commit below the snapshot's WAL position
     * would lose it.
     */
    @Test
    void shouldStreamATransactionCommittedInTheWalButNotVisibleInTheSnapshot() throws Exception {
        String database = POSTGRES.newDatabase("late_vis");
        Path config = createPipeline(database, "late_vis", "FOR TABLE app.base", EmbeddedRole.SUPERUSER);
        AtomicReference<Thread> held = new AtomicReference<>();
        AtomicReference<Throwable> heldFailure = new AtomicReference<>();
        AtomicBoolean released = new AtomicBoolean();
        RunHooks hooks = point -> {
            try {
                if (point == RunPoint.LATE_TABLE_SNAPSHOT) {
                    held.set(holdCommitInSyncRep(database, heldFailure));
                } else if (point == RunPoint.BEFORE_COMMIT && released.compareAndSet(false, true)) {
                    releaseSyncRep(held.get());
                }
            } catch (SQLException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
        try (Connection admin = POSTGRES.connect(database); Statement s = admin.createStatement()) {
            createLateTable(s);
            try {
                assertThat(run(config, hooks)).as("run that brings app.late in").isZero();
            } finally {
                releaseSyncRep(held.get());
            }
            assertThat(heldFailure.get()).as("held writer").isNull();
            assertThat(single(admin, "SELECT count(*) FROM app.late WHERE payload = 'held'")).isEqualTo(1);
            assertThat(single(admin, "SELECT count(*) FROM late_vis_bronze.\"br_app__late_cdc\""
                    + " WHERE full_row->>'payload' = 'held' AND tx_id IS NOT NULL"))
                    .as("the held transaction, streamed").isEqualTo(1);
            assertThat(run(config, RunHooks.NONE)).as("next run").isZero();
            assertExact(admin, config, "late_vis");
        }
    }

    @Test
    void shouldCaptureAPartitionedTableCreatedLaterThroughItsRoot() throws Exception {
        String database = POSTGRES.newDatabase("late_parts");
        Path config = createPipeline(database, "late_part", "FOR TABLE app.base", EmbeddedRole.SUPERUSER);
        try (Connection admin = POSTGRES.connect(database); Statement s = admin.createStatement()) {
            s.execute("CREATE TABLE app.late (id serial, touched integer NOT NULL DEFAULT 0, payload text,"
                    + " PRIMARY KEY (id)) PARTITION BY RANGE (id)");
            s.execute("CREATE TABLE app.late_low PARTITION OF app.late FOR VALUES FROM (MINVALUE) TO (60)");
            s.execute("CREATE TABLE app.late_high PARTITION OF app.late FOR VALUES FROM (60) TO (MAXVALUE)");
            fillLateTable(s);
            try (RowChurn late = new RowChurn(POSTGRES.connect(database), "app.late", SEED + 3)) {
                late.awaitMore(30);
                assertThat(run(config, point -> {
                    if (point == RunPoint.LATE_TABLE_SNAPSHOT) {
                        late.awaitMore(10);
                    }
                })).as("run that brings the partitioned app.late in").isZero();
                late.awaitMore(30);
            }
            assertThat(run(config, RunHooks.NONE)).as("last run").isZero();
            assertThat(single(admin, "SELECT count(*) FROM pg_class WHERE relname IN ('late', 'late_low', 'late_high')"
                    + " AND relnamespace = 'app'::regnamespace AND relreplident = 'f'"))
                    .as("REPLICA IDENTITY FULL on the root and each partition").isEqualTo(3);
            assertThat(single(admin, "SELECT count(*) FROM late_part_bronze.bronze_tables"))
                    .as("partitions are captured through their root only").isEqualTo(2);
            assertExact(admin, config, "late_part");
        }
    }

    /**
     * A transaction that wrote to the new table and is still open: the run's ALTER PUBLICATION waits at most 5 s for
     * it (behind a SHARE lock, so no write straddles the change) and then leaves the table to a later run. When an
     * administrator publishes the table without that lock, the open transaction's changes are never streamed
     * (pgoutput decides with the catalog as of each change), so the run waits for it to end before the snapshot,
     * which then holds it.
     */
    @Test
    void shouldNotPublishAcrossAnOpenWriterAndWaitForOneBeforeTheSnapshot() throws Exception {
        String database = POSTGRES.newDatabase("late_wait");
        Path config = createPipeline(database, "late_wait", "FOR TABLE app.base", EmbeddedRole.SUPERUSER);
        try (Connection admin = POSTGRES.connect(database); Statement s = admin.createStatement();
                Connection early = POSTGRES.connect(database); Statement e = early.createStatement()) {
            createLateTable(s);
            s.execute("ALTER TABLE app.late REPLICA IDENTITY FULL"); // only the publication is missing
            early.setAutoCommit(false);
            e.execute("INSERT INTO app.late (payload) VALUES ('before publication')");
            assertThat(run(config, RunHooks.NONE)).as("run while a writer is open").isZero();
            assertThat(single(admin, "SELECT count(*) FROM pg_publication_tables WHERE pubname = 'late_wait_pub'"
                    + " AND tablename = 'late'")).as("not published across the open writer").isZero();
            assertThat(single(admin, "SELECT count(*) FROM late_wait_bronze.bronze_tables"
                    + " WHERE source_table = 'late'")).as("not captured").isZero();

            s.execute("ALTER PUBLICATION late_wait_pub ADD TABLE app.late"); // no lock: the writer straddles it
            AtomicReference<Integer> code = new AtomicReference<>();
            Thread runner = new Thread(() -> code.set(run(config, RunHooks.NONE)), "late-wait-run");
            runner.start();
            await("the run waiting for the open writer").atMost(Duration.ofSeconds(60)).until(() -> single(admin,
                    "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%virtualtransaction = ANY%'"
                            + " AND pid <> pg_backend_pid()") > 0);
            e.execute("INSERT INTO app.late (payload) VALUES ('after publication')");
            early.commit();
            runner.join(Duration.ofSeconds(120).toMillis());
            assertThat(code.get()).as("run that waited for the open writer").isZero();
            assertThat(single(admin, "SELECT count(*) FROM late_wait_bronze.\"br_app__late_cdc\""
                    + " WHERE full_row->>'payload' IN ('before publication', 'after publication')"))
                    .as("both rows of the early transaction, once each").isEqualTo(2);
            assertThat(run(config, RunHooks.NONE)).as("next run").isZero();
            assertExact(admin, config, "late_wait");
        }
    }

    /**
     * @param crashFirst whether the first run that brings app.late in dies right before its bronze commit (after
     *     publishing the table and reading its snapshot): the next run must take a new snapshot, exactly
     */
    private void captureWhileWriting(String database, Path config, String slot, Random random, boolean crashFirst)
            throws Exception {
        try (Connection admin = POSTGRES.connect(database); Statement s = admin.createStatement()) {
            createLateTable(s);
            try (RowChurn base = new RowChurn(POSTGRES.connect(database), "app.base", random.nextLong());
                    RowChurn late = new RowChurn(POSTGRES.connect(database), "app.late", random.nextLong())) {
                late.awaitMore(30); // committed between the creation and the next run
                RunHooks duringSnapshot = point -> {
                    if (point == RunPoint.LATE_TABLE_SNAPSHOT) {
                        late.awaitMore(10); // committed after publishing, right before the snapshot
                    }
                };
                if (crashFirst) {
                    RunHooks crash = point -> {
                        duringSnapshot.at(point);
                        if (point == RunPoint.BEFORE_COMMIT) {
                            throw new IllegalStateException("crash before the bronze commit");
                        }
                    };
                    assertThat(run(config, crash)).as("run dying before its commit")
                            .isEqualTo(ExitCode.FAILED.code());
                    assertThat(single(admin, "SELECT count(*) FROM " + slot + "_bronze.bronze_tables"
                            + " WHERE source_table = 'late'")).as("nothing of app.late committed").isZero();
                    late.awaitMore(20);
                }
                assertThat(run(config, duringSnapshot)).as("run that brings app.late in").isZero();
                assertThat(single(admin, "SELECT count(*) FROM " + slot + "_bronze.bronze_tables"
                        + " WHERE source_schema = 'app' AND source_table = 'late'")).isEqualTo(1);
                late.awaitMore(30);
                assertThat(run(config, RunHooks.NONE)).as("run while writing").isZero();
                late.awaitMore(30);
                base.awaitMore(10);
            }
            assertThat(run(config, RunHooks.NONE)).as("last run").isZero();
            assertExact(admin, config, slot);
        }
    }

    private static void createLateTable(Statement s) throws SQLException {
        s.execute("CREATE TABLE app.late (id serial PRIMARY KEY, touched integer NOT NULL DEFAULT 0, payload text)");
        fillLateTable(s);
    }

    private static void fillLateTable(Statement s) throws SQLException {
        // The seeded writers delete rows at random: the first row stays, so that the log must start with it.
        s.execute("CREATE FUNCTION app.keep_first() RETURNS trigger LANGUAGE plpgsql AS"
                + " $$ BEGIN IF OLD.id = -1 THEN RETURN NULL; END IF; RETURN OLD; END $$");
        s.execute("CREATE TRIGGER keep_first BEFORE DELETE ON app.late FOR EACH ROW EXECUTE FUNCTION app.keep_first()");
        s.execute("INSERT INTO app.late (id, payload) VALUES (-1, 'first')");
        s.execute("INSERT INTO app.late (payload) SELECT 'row ' || g FROM generate_series(1, 40) g");
        s.execute("UPDATE app.late SET touched = 5 WHERE id BETWEEN 3 AND 6");
        s.execute("DELETE FROM app.late WHERE id = 7");
    }

    private static void assertExact(Connection c, Path configFile, String slot) throws SQLException {
        PipelineConfig config = PipelineConfigLoader.load(configFile, BatchPipeline.ENVIRONMENT);
        BronzeSchema schema = new BronzeSchema(config.bronze().schema());
        String log = schema.tableOf(LATE);
        long rows = single(c, "SELECT count(*) FROM " + log);
        assertThat(rows).as("rows of %s (seed %d)", log, SEED).isPositive();
        assertThat(single(c, "SELECT count(DISTINCT lsn) FROM " + log)).as("distinct lsn").isEqualTo(rows);
        assertThat(single(c, "SELECT min(lsn) FROM " + log)).as("min lsn").isEqualTo(1);
        assertThat(single(c, "SELECT max(lsn) FROM " + log)).as("max lsn").isEqualTo(rows);
        assertThat(text(c, "SELECT op || ' ' || coalesce(tx_id::text, 'snapshot') || ' ' || full_row::text FROM "
                + log + " WHERE lsn = 1")).as("the first row, first")
                .isEqualTo("I snapshot {\"id\": -1, \"payload\": \"first\", \"touched\": 0}");
        assertThat(single(c, "SELECT count(*) FROM " + log + " s WHERE s.tx_id IS NULL AND EXISTS (SELECT 1 FROM "
                + log + " t WHERE t.tx_id IS NOT NULL AND t.lsn < s.lsn)")).as("snapshot rows before streamed")
                .isZero();
        ValidationReport report = BronzeValidator.validate(c, schema, List.of(BASE, LATE),
                ValidationOptions.defaults().withSlot(slot));
        assertThat(report.violations()).as("%s (seed %d)", report.toText(), SEED).isEmpty();
    }

    private static String text(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** The pipeline's role. */
    private enum EmbeddedRole { SUPERUSER, READER }

    /**
     * Schema {@code app} with a captured table {@code app.base}, the publication {@code <slot>_pub}, the config
     * ({@code include: ["app.*"]}), and the first run (snapshot).
     */
    private static Path createPipeline(String database, String slot, String publishes, EmbeddedRole role)
            throws Exception {
        String user = role == EmbeddedRole.SUPERUSER ? "postgres" : "late_reader";
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + database + " SET synchronous_commit = local");
            LateTableSource.create(s, database, slot, publishes, role == EmbeddedRole.READER);
        }
        Path config = configDir.resolve(slot + ".yaml");
        Files.writeString(config, TestPipelineYaml.of(POSTGRES.server().port(), database, user, slot,
                slot + "_bronze", "env: BRONZE_TEST_PASSWORD").replace("tables: [customer, payment, rental]\n",
                "tables:\n  include: [\"app.*\"]\n"));
        assertThat(run(config, RunHooks.NONE)).as("first run").isZero();
        return config;
    }

    private static int run(Path config, RunHooks hooks) {
        return MicroBatchJob.execute(new String[] {"--config", config.toString(), "--retries", "0", "--chunk-size",
                "7"}, BatchPipeline.ENVIRONMENT, hooks);
    }

    /**
     * Commits an insert into app.late whose commit record is written and flushed but which stays invisible: its
     * session waits for a synchronous standby that does not exist. Returns once it waits.
     */
    private static Thread holdCommitInSyncRep(String database, AtomicReference<Throwable> failure)
            throws SQLException {
        try (Connection c = POSTGRES.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM SET synchronous_standby_names = 'late_nobody'");
            s.execute("SELECT pg_reload_conf()");
        }
        await("synchronous_standby_names reloaded").atMost(Duration.ofSeconds(30)).until(() -> {
            try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SHOW synchronous_standby_names")) {
                return rs.next() && "late_nobody".equals(rs.getString(1));
            }
        });
        Thread writer = new Thread(() -> {
            try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
                s.execute("SET synchronous_commit = on");
                s.execute("SET application_name = 'late_held'");
                s.execute("INSERT INTO app.late (payload) VALUES ('held')");
            } catch (SQLException | RuntimeException e) {
                failure.set(e);
            }
        }, "held-commit");
        writer.start();
        await("held commit waiting for its standby").atMost(Duration.ofSeconds(30)).until(() -> {
            try (Connection c = POSTGRES.connect(database)) {
                return single(c, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'late_held'"
                        + " AND wait_event = 'SyncRep'") == 1;
            }
        });
        return writer;
    }

    /** Clears synchronous_standby_names, which releases the waiting commit, and waits for its thread. */
    private static void releaseSyncRep(Thread writer) throws SQLException, InterruptedException {
        if (writer == null) {
            return;
        }
        try (Connection c = POSTGRES.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM RESET synchronous_standby_names");
            s.execute("SELECT pg_reload_conf()");
        }
        writer.join(Duration.ofSeconds(30).toMillis());
        assertThat(writer.isAlive()).as("held commit released").isFalse();
    }
}
