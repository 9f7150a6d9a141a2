package io.bronzecdc.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bronzecdc.flink.source.CapturedChange;
import io.bronzecdc.flink.testing.PipelineUnderTest;
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
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A table created while the Flink job streams with its native pgoutput source ({@code include: ["app.*"]}) is
 * captured from its first row: the source finds it at its next table discovery, publishes it (or, for a role that
 * may not, warns once naming the statements and captures it once an administrator ran them), emits its snapshot
 * and hands over to the stream exactly, while seeded writers change it and the table captured from the start.
 * The table is created with rows, updates and a delete in its creating transaction. Bronze of the new table starts
 * with its first row at lsn 1, lsn dense, no change twice, and every validator passes (replay equals source). Also:
 * a task failure between the new table's snapshot and the next checkpoint, and a table created while the job was
 * stopped, picked up when it restores its checkpoint. Seeds are printed; replay one with
 * {@code -Dbronze.late.seed=N}.
 */
class LateTableStreamingIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final TableId BASE = new TableId("app", "base");
    private static final TableId LATE = new TableId("app", "late");
    private static final long SEED = Long.getLong("bronze.late.seed", System.nanoTime());
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String LATE_TABLES_LOGGER = "io.bronzecdc.flink.source.pgoutput.LateTables";

    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void printSeed() {
        System.out.println("LateTableStreamingIT seed " + SEED + " (replay with -Dbronze.late.seed=" + SEED + ")");
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    /**
     * (a) The role owns the publication: the source publishes the new table behind a lock. With a schema
     * publication the table is published from its creation, so the stream also carries the changes the snapshot
     * holds, and the handover must drop exactly those.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"FOR TABLE app.base", "FOR TABLES IN SCHEMA app"})
    void shouldCaptureATableCreatedWhileTheJobStreamsFromItsFirstRow(String publishes) throws Exception {
        String slot = publishes.contains("SCHEMA") ? "late_fsch" : "late_fown";
        String database = POSTGRES.newDatabase(slot);
        Random random = new Random(SEED + slot.hashCode());
        PipelineConfig config = createPipeline(database, slot, publishes, Role.SUPERUSER);
        PipelineUnderTest pipeline = start(config, UnaryOperator.identity(), new Configuration());
        awaitBaseSnapshot(pipeline, database);
        try (Connection admin = POSTGRES.connect(database); Statement s = admin.createStatement();
                RowChurn base = churn(database, "app.base", random.nextLong())) {
            base.awaitMore(20);
            createLateTableInOneTransaction(admin);
            try (RowChurn late = churn(database, "app.late", random.nextLong())) {
                awaitCaptured(admin, config);
                late.awaitMore(50);
                base.awaitMore(20);
            }
            base.awaitMore(10);
        }
        assertExact(database, config, pipeline);
        if (!publishes.contains("SCHEMA")) {
            try (Connection c = POSTGRES.connect(database)) {
                assertThat(single(c, "SELECT count(*) FROM pg_publication_tables WHERE pubname = '" + slot + "_pub'"
                        + " AND schemaname = 'app' AND tablename = 'late'")).as("published by the source").isOne();
            }
        }
    }

    /**
     * (b) A capture role that may not change the publication (made by a superuser, listing app.base only): one
     * warning naming the table and the statements, the table tried again at each discovery without another; once
     * the administrator ran them, the table is captured with an exact handover.
     */
    @Test
    void shouldWarnOnceAndCaptureTheTableOnceAnAdministratorPublishedIt() throws Exception {
        String slot = "late_fnp";
        String database = POSTGRES.newDatabase(slot);
        Random random = new Random(SEED + 2);
        PipelineConfig config = createPipeline(database, slot, "FOR TABLE app.base", Role.READER);
        CapturedLog log = CapturedLog.of(LATE_TABLES_LOGGER);
        resources.add(log);
        PipelineUnderTest pipeline = start(config, UnaryOperator.identity(), new Configuration());
        awaitBaseSnapshot(pipeline, database);
        try (Connection admin = POSTGRES.connect(database); Statement s = admin.createStatement();
                RowChurn base = churn(database, "app.base", random.nextLong())) {
            createLateTableInOneTransaction(admin);
            try (RowChurn late = churn(database, "app.late", random.nextLong())) {
                await("the warning").atMost(WAIT).until(() -> !warnings(log).isEmpty());
                long retriesBefore = retries(log);
                await("two more discoveries that found the table still unpublishable").atMost(WAIT)
                        .until(() -> retries(log) >= retriesBefore + 2);
                assertThat(warnings(log)).as("warned once, naming the table and the statements").singleElement()
                        .asString().contains("app.late")
                        .contains("BEGIN; LOCK TABLE \"app\".\"late\" IN ACCESS EXCLUSIVE MODE;")
                        .contains("ALTER PUBLICATION \"late_fnp_pub\" ADD TABLE \"app\".\"late\"")
                        .contains("late_reader");
                assertThat(single(admin, "SELECT count(*) FROM late_fnp_bronze.bronze_tables"
                        + " WHERE source_table = 'late'")).as("not captured yet").isZero();
                late.awaitMore(20);
                // As the warning says, in one transaction behind a lock: no write straddles the change.
                s.execute("BEGIN; LOCK TABLE \"app\".\"late\" IN ACCESS EXCLUSIVE MODE;"
                        + " ALTER TABLE app.late REPLICA IDENTITY FULL;"
                        + " ALTER PUBLICATION \"late_fnp_pub\" ADD TABLE \"app\".\"late\"; COMMIT;");
                late.awaitMore(20);
                awaitCaptured(admin, config);
                late.awaitMore(50);
                base.awaitMore(10);
            }
        }
        assertExact(database, config, pipeline);
        assertThat(warnings(log)).as("still the one warning").hasSize(1);
    }

    /**
     * (c) The task fails at a seeded row of the new table's snapshot, before any checkpoint covers it: the job
     * restarts from a checkpoint without the table, which is brought in again with a new snapshot; nothing lost,
     * nothing twice.
     */
    @Test
    void shouldLoseAndDoubleNothingWhenTheTaskFailsBeforeTheNewTablesSnapshotIsCheckpointed(@TempDir Path checkpoints)
            throws Exception {
        String slot = "late_ffail";
        String database = POSTGRES.newDatabase(slot);
        Random random = new Random(SEED + 3);
        long failAt = 1 + random.nextInt(20);
        PipelineConfig config = createPipeline(database, slot, "FOR TABLE app.base", Role.SUPERUSER);
        String testId = slot + "-" + SEED;
        FailOnce.ARMED.put(testId, new FailOnce.State());
        resources.add(() -> FailOnce.ARMED.remove(testId));
        FailOnce injector = new FailOnce(testId, LATE.toString(), failAt);
        UnaryOperator<DataStream<CapturedChange>> hook = captured -> captured.map(injector)
                .returns(captured.getType()).setParallelism(captured.getParallelism())
                .uid("failure-injector").name("failure-injector");
        Configuration restarting = retainingWithoutRestarts(checkpoints);
        restarting.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        restarting.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        restarting.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        PipelineUnderTest pipeline = start(config, hook, restarting);
        awaitBaseSnapshot(pipeline, database);
        try (Connection admin = POSTGRES.connect(database);
                RowChurn base = churn(database, "app.base", random.nextLong())) {
            base.awaitMore(20);
            createLateTableInOneTransaction(admin);
            try (RowChurn late = churn(database, "app.late", random.nextLong())) {
                await("the injected failure").atMost(WAIT).until(() -> FailOnce.ARMED.get(testId).fired.get());
                awaitCaptured(admin, config);
                late.awaitMore(50);
                base.awaitMore(10);
            }
        }
        assertThat(FailOnce.ARMED.get(testId).opened.get()).as("the injector opened again after the restart")
                .isEqualTo(2);
        assertExact(database, config, pipeline);
    }

    /**
     * (d) The job is cancelled (checkpoint retained), the table is created and written while it is stopped, and
     * the job restored from that checkpoint captures it from its first row.
     */
    @Test
    void shouldCaptureATableCreatedWhileTheJobWasStoppedWhenItRestores(@TempDir Path checkpoints) throws Exception {
        String slot = "late_fstop";
        String database = POSTGRES.newDatabase(slot);
        Random random = new Random(SEED + 4);
        PipelineConfig config = createPipeline(database, slot, "FOR TABLE app.base", Role.SUPERUSER);
        PipelineUnderTest first = start(config, UnaryOperator.identity(), retainingWithoutRestarts(checkpoints));
        awaitBaseSnapshot(first, database);
        try (Connection admin = POSTGRES.connect(database);
                RowChurn base = churn(database, "app.base", random.nextLong())) {
            base.awaitMore(30);
            String jobId = first.job().getJobID().toHexString();
            first.job().cancel().get(60, TimeUnit.SECONDS);
            first.job().getJobExecutionResult().handle((result, failure) -> null).get(60, TimeUnit.SECONDS);
            await("slot released").atMost(WAIT).until(() -> single(admin, "SELECT count(*) FROM"
                    + " pg_replication_slots WHERE slot_name = '" + slot + "' AND active") == 0);
            Path latest = LocalState.latestOfJob(checkpoints.resolve(jobId)).orElseThrow(() -> new AssertionError(
                    "no completed checkpoint under " + checkpoints));
            createLateTableInOneTransaction(admin);
            try (RowChurn late = churn(database, "app.late", random.nextLong())) {
                late.awaitMore(30);
                Configuration restoring = retainingWithoutRestarts(checkpoints);
                restoring.set(StateRecoveryOptions.SAVEPOINT_PATH, latest.toUri().toString());
                PipelineUnderTest second = start(config, UnaryOperator.identity(), restoring);
                awaitCaptured(admin, config);
                late.awaitMore(50);
                base.awaitMore(10);
                late.close();
                base.close();
                assertExact(database, config, second);
            }
        }
    }

    // --- setup -----------------------------------------------------------------------------------------------

    private enum Role { SUPERUSER, READER }

    /** Schema app with app.base (30 rows, captured from the start), the publication and the config (app.*). */
    private static PipelineConfig createPipeline(String database, String slot, String publishes, Role role)
            throws Exception {
        String user = role == Role.SUPERUSER ? "postgres" : "late_reader";
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
            LateTableSource.create(s, database, slot, publishes, role == Role.READER);
        }
        String yaml = TestPipelineYaml.of(POSTGRES.server().port(), database, user, slot, slot + "_bronze",
                "env: PW").replace("tables: [customer, payment, rental]\n", "tables:\n  include: [\"app.*\"]\n");
        return PipelineConfigLoader.parse(yaml, slot + ".yaml", name -> "trust-auth-ignores-it");
    }

    private PipelineUnderTest start(PipelineConfig config, UnaryOperator<DataStream<CapturedChange>> hook,
            Configuration flink) throws Exception {
        PipelineUnderTest pipeline = PipelineUnderTest.start(POSTGRES.server(), config, 1, hook, flink);
        resources.add(() -> {
            pipeline.close();
            pipeline.job().getJobExecutionResult().handle((result, failure) -> null).get(60, TimeUnit.SECONDS);
        });
        return pipeline;
    }

    private static void awaitBaseSnapshot(PipelineUnderTest pipeline, String database) {
        pipeline.awaitBronzeCounts(Map.of(BASE, 30L));
    }

    private RowChurn churn(String database, String table, long seed) throws SQLException {
        System.out.println("LateTableStreamingIT: " + table + " churn seed " + seed);
        return new RowChurn(POSTGRES.connect(database), table, seed);
    }

    /**
     * Creates app.late with its rows in one transaction: the first row (which the churn never deletes), more
     * rows, updates and a delete, all committed with the CREATE TABLE.
     */
    private static void createLateTableInOneTransaction(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE app.late (id serial PRIMARY KEY, touched integer NOT NULL DEFAULT 0,"
                    + " payload text)");
            s.execute("CREATE FUNCTION app.keep_first() RETURNS trigger LANGUAGE plpgsql AS"
                    + " $$ BEGIN IF OLD.id = -1 THEN RETURN NULL; END IF; RETURN OLD; END $$");
            s.execute("CREATE TRIGGER keep_first BEFORE DELETE ON app.late FOR EACH ROW"
                    + " EXECUTE FUNCTION app.keep_first()");
            s.execute("INSERT INTO app.late (id, payload) VALUES (-1, 'first')");
            s.execute("INSERT INTO app.late (payload) SELECT 'row ' || g FROM generate_series(1, 40) g");
            s.execute("UPDATE app.late SET touched = 5 WHERE id BETWEEN 3 AND 6");
            s.execute("DELETE FROM app.late WHERE id = 7");
            c.commit();
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Waits until bronze records app.late and its log holds rows. */
    private static void awaitCaptured(Connection c, PipelineConfig config) {
        BronzeSchema schema = new BronzeSchema(config.bronze().schema());
        await("app.late captured").atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() ->
                single(c, "SELECT count(*) FROM " + schema.quoted(BronzeSchema.TABLES_TABLE)
                        + " WHERE source_schema = 'app' AND source_table = 'late'") == 1
                && single(c, "SELECT count(*) FROM " + schema.tableOf(LATE)) > 0);
    }

    // --- checks ------------------------------------------------------------------------------------------------

    /**
     * After the writers stopped: the job catches up until every validator passes (replay equals source for both
     * tables), then the new table's log starts with its first row, snapshot rows before streamed ones, lsn dense
     * from 1, no streamed change twice, one bronze_tables row per table.
     */
    private static void assertExact(String database, PipelineConfig config, PipelineUnderTest pipeline)
            throws SQLException {
        BronzeSchema schema = new BronzeSchema(config.bronze().schema());
        try (Connection c = POSTGRES.connect(database)) {
            ValidationOptions options = ValidationOptions.defaults().withSlot(config.source().slotName());
            await("bronze equal to the source (seed " + SEED + ")").atMost(WAIT).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> {
                        assertThat(pipeline.job().getJobStatus().get().isGloballyTerminalState()).as("job ended")
                                .isFalse();
                        ValidationReport report = BronzeValidator.validate(c, schema, List.of(BASE, LATE), options);
                        assertThat(report.violations()).as("%s (seed %d)", report.toText(), SEED).isEmpty();
                    });
            String log = schema.tableOf(LATE);
            long rows = single(c, "SELECT count(*) FROM " + log);
            assertThat(rows).as("rows of %s (seed %d)", log, SEED).isGreaterThan(40);
            assertThat(single(c, "SELECT count(DISTINCT lsn) FROM " + log)).as("distinct lsn").isEqualTo(rows);
            assertThat(single(c, "SELECT min(lsn) FROM " + log)).as("min lsn").isEqualTo(1);
            assertThat(single(c, "SELECT max(lsn) FROM " + log)).as("max lsn").isEqualTo(rows);
            assertThat(text(c, "SELECT op || ' ' || coalesce(tx_id::text, 'snapshot') || ' ' || full_row::text FROM "
                    + log + " WHERE lsn = 1")).as("the first row, first")
                    .isEqualTo("I snapshot {\"id\": -1, \"payload\": \"first\", \"touched\": 0}");
            assertThat(single(c, "SELECT count(*) FROM " + log + " s WHERE s.tx_id IS NULL AND EXISTS (SELECT 1"
                    + " FROM " + log + " t WHERE t.tx_id IS NOT NULL AND t.lsn < s.lsn)"))
                    .as("snapshot rows before streamed ones").isZero();
            assertThat(single(c, "SELECT count(*) FROM (SELECT source_lsn, op FROM " + log
                    + " WHERE tx_id IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1) d"))
                    .as("no streamed change twice (seed %d)", SEED).isZero();
            assertThat(single(c, "SELECT count(*) FROM " + log + " WHERE tx_id IS NOT NULL"))
                    .as("streamed changes of app.late after its snapshot (seed %d)", SEED).isPositive();
            for (TableId table : List.of(BASE, LATE)) {
                assertThat(brokenHistories(c, schema.tableOf(table)))
                        .as("keys of %s whose log is not one unbroken history (seed %d)", table, SEED).isEmpty();
            }
            assertThat(single(c, "SELECT count(*) FROM " + schema.quoted(BronzeSchema.TABLES_TABLE)
                    + " WHERE source_schema = 'app' AND source_table IN ('base', 'late')")).isEqualTo(2);
            List<String> mapping = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT bronze_table FROM "
                    + schema.quoted(BronzeSchema.TABLES_TABLE) + " WHERE source_table = 'late'")) {
                while (rs.next()) {
                    mapping.add(rs.getString(1));
                }
            }
            assertThat(mapping).containsExactly(BronzeSchema.logTableName(LATE));
        }
    }

    /**
     * The changes that break their key's history, in lsn order per key: a key starts with an I (snapshot or
     * streamed; ids are never reused), then only U or D; a D's before-image is the row before it; each U of the
     * writers adds exactly 1 to {@code touched}. A change the snapshot already held and that was streamed again
     * (an I twice, a U that adds nothing, a D after the D) breaks it, and so does a lost one (a step of 2).
     */
    private static List<String> brokenHistories(Connection c, String log) throws SQLException {
        List<String> broken = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT lsn || ' ' || op || ' '"
                + " || coalesce(prev_op, '-') || ' ' || full_row::text FROM (SELECT lsn, op, full_row,"
                + " lag(op) OVER w AS prev_op, lag(full_row) OVER w AS prev_row FROM " + log
                + " WINDOW w AS (PARTITION BY full_row->'id' ORDER BY lsn)) h"
                + " WHERE (prev_op IS NULL AND op <> 'I') OR (prev_op = 'D')"
                + " OR (prev_op IS NOT NULL AND op = 'I')"
                + " OR (op = 'D' AND full_row <> prev_row)"
                + " OR (op = 'U' AND (full_row->>'touched')::int <> (prev_row->>'touched')::int + 1)"
                + " ORDER BY lsn LIMIT 20")) {
            while (rs.next()) {
                broken.add(rs.getString(1));
            }
        }
        return broken;
    }

    static long single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String text(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static List<String> warnings(CapturedLog log) {
        return log.lines().stream().filter(l -> l.startsWith("WARN") && l.contains("app.late")).toList();
    }

    private static long retries(CapturedLog log) {
        return log.lines().stream().filter(l -> l.startsWith("DEBUG") && l.contains("app.late")
                && l.contains("still not captured")).count();
    }
    /**
     * Throws once, at snapshot row {@code atRow} of {@code table}: the source emits a table's whole snapshot in one
     * call, so no checkpoint covers that row yet. Its state lives in a JVM-wide map keyed by the test, since the
     * MiniCluster deserializes a fresh copy of the function for each (re)start.
     */
    static final class FailOnce extends RichMapFunction<CapturedChange, CapturedChange> {
        private static final long serialVersionUID = 1L;
        static final Map<String, State> ARMED = new ConcurrentHashMap<>();

        private final String testId;
        private final String table;
        private final long atRow;

        FailOnce(String testId, String table, long atRow) {
            this.testId = testId;
            this.table = table;
            this.atRow = atRow;
        }

        @Override
        public void open(OpenContext openContext) {
            ARMED.get(testId).opened.incrementAndGet();
        }

        @Override
        public CapturedChange map(CapturedChange change) {
            State state = ARMED.get(testId);
            if (change.snapshot() && change.table().equals(table) && state.rows.incrementAndGet() >= atRow
                    && state.fired.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at snapshot row " + atRow + " of " + table);
            }
            return change;
        }

        static final class State {
            final AtomicLong rows = new AtomicLong();
            final AtomicBoolean fired = new AtomicBoolean();
            final AtomicInteger opened = new AtomicInteger();
        }
    }

    /** Checkpoints on the file system, kept when the job is cancelled; a failure ends the job (no restarts). */
    private static Configuration retainingWithoutRestarts(Path checkpoints) {
        Configuration conf = LocalState.retaining(checkpoints);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        return conf;
    }
}
