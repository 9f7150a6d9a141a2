package io.bronzecdc.bench.engine;

import io.bronzecdc.cli.engine.EngineProcess;
import io.bronzecdc.cli.engine.ProjectLayout;
import io.bronzecdc.cli.engine.SparkEngine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bronzecdc.bench.engine.BronzeLogs.StreamedRow;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.LongRuns;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.TestPipelineYaml;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.testkit.pagila.PagilaGenerator;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.testkit.workload.AppliedChange;
import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Exactly once across a real crash of the Spark driver: the micro-batch JVM is killed with SIGKILL (no shutdown
 * hook, no rollback by the client) while it captures a backlog of whole-table updates and seeded I/U/D
 * transactions; a clean rerun must then leave bronze exactly equal to the committed history.
 *
 * <p>Setup: generated Pagila-shaped source, the snapshot run, then one uninterrupted stream run over a backlog
 * like the ones below, which measures how long a run takes from its "bronze covers up to" log line (preparation
 * done) to its exit. Each seed adds a backlog, starts a run, waits for that log line, sleeps a seeded fraction of
 * the measured window (or waits until the run's bronze commit is visible), kills the JVM, waits until the server has dropped the dead run's backends, and reruns to
 * exit 0. After every rerun: counts, dense lsn, the validator (replay equals source, commit-time tolerance 0) and
 * the streamed log against the committed history. Engine output goes to {@code target/spark-kill-it/}.
 */
class SparkDriverKillIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final List<TableId> TABLES = ChangeWorkload.tables();
    private static final TableId PAYMENT = TableId.of("payment");
    private static final String SLOT = "spark_kill";
    private static final BronzeSchema SCHEMA = new BronzeSchema("cdc_bronze_kill");
    private static final String PREPARED_LINE = "bronze covers up to";
    private static final long SOURCE_SEED = 4_242L;
    private static final int BULK_UPDATES = 2;
    private static final int WORKLOAD_TRANSACTIONS = 150;
    private static final int STATEMENTS_PER_TRANSACTION = 4;
    /** The kill lands in the first this-much of the measured window, so that it comes before the run exits. */
    private static final double KILL_WINDOW_SHARE = 0.7;
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration BACKENDS_GONE_TIMEOUT = Duration.ofSeconds(30);
    private static final int TAIL_LINES = 40;

    /** One committed source transaction: a workload transaction, or a whole-table update of payment. */
    private record Tx(long txId, List<AppliedChange> changes, long bulkRows) {
        boolean bulk() {
            return bulkRows > 0;
        }
    }

    private static final List<Tx> HISTORY = new ArrayList<>();
    private static final List<EngineProcess> RUNS = new ArrayList<>();
    private static SparkEngine engine;
    private static Path work;
    private static Map<TableId, Long> snapshot;
    private static Duration window;

    @BeforeAll
    static void snapshotAndMeasureOneUninterruptedRun() throws Exception {
        engine = SparkEngine.of(ProjectLayout.fromSystemProperties());
        work = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).resolve("target/spark-kill-it");
        Files.createDirectories(work);
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            SourceSchema.create(c);
            PagilaLoader.loadGenerated(c, new PagilaGenerator(SOURCE_SEED, new PagilaGenerator.Counts(599, 16_049,
                    16_044)));
            s.execute("CREATE PUBLICATION " + SLOT + "_pub FOR TABLE customer, payment, rental"
                    + " WITH (publish_via_partition_root = true)");
            snapshot = new LinkedHashMap<>();
            for (TableId table : TABLES) {
                snapshot.put(table, BronzeLogs.single(c, "SELECT count(*) FROM " + table.qualifiedName()));
            }
        }
        assertThat(snapshot).containsExactlyInAnyOrderEntriesOf(Map.of(TableId.of("customer"), 599L, PAYMENT,
                16_049L, TableId.of("rental"), 16_044L));
        Path password = work.resolve("source-password");
        Files.writeString(password, "trust-auth-ignores-it\n");
        writeConfig(password);

        awaitSuccess(start("run-0-snapshot"));
        assertBronzeExact();

        addBacklog(1L);
        EngineProcess baseline = start("run-1-uninterrupted");
        long prepared = awaitLine(baseline, PREPARED_LINE);
        awaitSuccess(baseline);
        window = Duration.ofNanos(System.nanoTime() - prepared);
        System.out.printf("uninterrupted stream run: %d ms from '%s' to exit, %d ms in all%n", window.toMillis(),
                PREPARED_LINE, baseline.runtime().toMillis());
        assertBronzeExact();
    }

    @AfterAll
    static void noProcessOrActiveSlotLeft() throws Exception {
        for (EngineProcess run : RUNS) {
            if (run.isAlive()) {
                run.kill(Duration.ofSeconds(10));
                throw new AssertionError(run + " was still running after the test");
            }
            assertThat(ProcessHandle.of(run.pid()).filter(ProcessHandle::isAlive)).as("pid %d", run.pid()).isEmpty();
        }
        if (!RUNS.isEmpty()) {
            try (Connection c = POSTGRES.connect()) {
                assertThat(BronzeLogs.single(c, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                        + SLOT + "' AND active")).as("slot %s active after the last run", SLOT).isZero();
                assertThat(runBackends(c)).as("backends of the pipeline's runs left").isZero();
            }
        }
    }

    /**
     * {@code delay}: SIGKILL a seeded random time (within the first {@value #KILL_WINDOW_SHARE} of the measured
     * window) after the run logged that its preparation is done, while it peeks, decodes and inserts. {@code
     * commit}: SIGKILL the moment the run's bronze commit is visible to another connection, which aims at the
     * window between the commit and the slot advance (whether the advance got through first is reported).
     */
    @ParameterizedTest(name = "seed {0}, kill at {1}")
    @CsvSource({"20261125, delay", "1234567, commit"})
    void shouldCaptureExactlyOnceWhenTheDriverIsKilled(long seed, String trigger) throws Exception {
        if (!trigger.equals("commit")) { // bronze-cdc bench --reliability kills runs at random moments too
            LongRuns.onlyInLongRuns("seed " + seed + ", kill on " + trigger);
        }
        assertThat(window).as("the uninterrupted run was measured (setup)").isNotNull();
        addBacklog(seed);
        String coveredBefore = coveredLsn();
        // The seed fixes the fraction of the window; the window is measured, so the delay varies a little by run.
        double fraction = new SplittableRandom(seed).nextDouble();
        long killAfterMillis = (long) (fraction * KILL_WINDOW_SHARE * window.toMillis());

        EngineProcess killed = start("run-" + seed + "-killed");
        long prepared = awaitLine(killed, PREPARED_LINE);
        if (trigger.equals("commit")) {
            awaitCommit(killed, coveredBefore);
            killAfterMillis = (System.nanoTime() - prepared) / 1_000_000;
        } else {
            Thread.sleep(killAfterMillis);
        }
        boolean aliveAtKill = killed.isAlive();
        assertThat(killed.kill(Duration.ofSeconds(10))).as("%s gone after SIGKILL", killed).isTrue();
        int exitCode = killed.awaitExit(Duration.ofSeconds(1));
        assertThat(aliveAtKill && exitCode == 137).as("the run was killed (alive at the kill, exit 137 = SIGKILL)"
                + " %d ms after '%s', but it exited with %d; output:%n%s", killAfterMillis, PREPARED_LINE, exitCode,
                killed.tail(TAIL_LINES)).isTrue();

        String coveredAfter = coveredLsn();
        long backendsAtKill;
        String confirmed;
        try (Connection c = POSTGRES.connect()) {
            backendsAtKill = runBackends(c);
            confirmed = slotConfirmed(c);
        }
        System.out.printf("seed %d (%s): SIGKILL %d ms after '%s' (%d ms after start): %s; slot confirmed %s;"
                + " %d backend(s) of the dead run still there%n", seed, trigger, killAfterMillis, PREPARED_LINE,
                killed.runtime().toMillis(), coveredAfter.equals(coveredBefore) ? "bronze untouched (still "
                + coveredBefore + ")" : "bronze committed " + coveredBefore + " -> " + coveredAfter, confirmed,
                backendsAtKill);

        // A backend busy in a statement (the peek materialises its whole range first) notices its dead client only
        // when it next writes to it; until then it holds the slot, and a rerun would rightly refuse (exit 2).
        long waitStarted = System.nanoTime();
        await().atMost(BACKENDS_GONE_TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (Connection c = POSTGRES.connect()) {
                return runBackends(c) == 0 && BronzeLogs.single(c, "SELECT count(*) FROM pg_replication_slots"
                        + " WHERE slot_name = '" + SLOT + "' AND active") == 0;
            }
        });
        System.out.printf("seed %d: the dead run's backends were gone %d ms after the kill%n", seed,
                (System.nanoTime() - waitStarted) / 1_000_000);

        EngineProcess rerun = start("run-" + seed + "-rerun");
        awaitSuccess(rerun);
        String summary = summaryOf(rerun);
        System.out.printf("seed %d: rerun: %s%n", seed, summary);
        if (!coveredAfter.equals(coveredBefore)) {
            assertThat(summary).as("rerun after a kill that came after the bronze commit").contains("appended 0 rows");
        }
        assertBronzeExact();
    }

    /** Polls the progress row until the run's commit moved it past {@code coveredBefore}. */
    private static void awaitCommit(EngineProcess run, String coveredBefore) throws Exception {
        long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        try (Connection c = POSTGRES.connect(); PreparedStatement ps = c.prepareStatement("SELECT covered_lsn::text"
                + " FROM " + SCHEMA.name() + ".bronze_batch_progress WHERE slot_name = ?")) {
            ps.setString(1, SLOT);
            while (System.nanoTime() < deadline && run.isAlive()) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && !rs.getString(1).equals(coveredBefore)) {
                        return;
                    }
                }
                Thread.sleep(1);
            }
        }
        throw new AssertionError(run + " did not commit while running (covered still " + coveredBefore
                + "); output:\n" + run.tail(TAIL_LINES));
    }

    /** Whole-table updates of payment, each its own transaction, then a seeded workload; all recorded. */
    private static void addBacklog(long seed) throws SQLException {
        long started = System.nanoTime();
        long changes = 0;
        try (Connection c = POSTGRES.connect()) {
            for (int i = 0; i < BULK_UPDATES; i++) {
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    int rows = s.executeUpdate("UPDATE payment SET amount = amount");
                    long txId = BronzeLogs.single(c, "SELECT pg_current_xact_id()::text::bigint");
                    c.commit();
                    HISTORY.add(new Tx(txId, List.of(), rows));
                    changes += rows;
                } finally {
                    c.setAutoCommit(true);
                }
            }
            for (CommittedTransaction tx : new ChangeWorkload(seed, STATEMENTS_PER_TRANSACTION).run(c,
                    WORKLOAD_TRANSACTIONS)) {
                HISTORY.add(new Tx(tx.txId(), tx.changes(), 0));
                changes += tx.changes().size();
            }
        }
        System.out.printf("backlog (seed %d): %d changes in %d ms%n", seed, changes,
                (System.nanoTime() - started) / 1_000_000);
    }

    /** Counts, dense lsn, the validator and the streamed log against {@link #HISTORY}, all exact. */
    private static void assertBronzeExact() throws SQLException {
        Map<TableId, Long> expected = new LinkedHashMap<>(snapshot);
        for (Tx tx : HISTORY) {
            tx.changes().forEach(change -> expected.merge(change.table(), 1L, Long::sum));
            if (tx.bulk()) {
                expected.merge(PAYMENT, tx.bulkRows(), Long::sum);
            }
        }
        try (Connection c = POSTGRES.connect()) {
            assertThat(BronzeLogs.counts(c, SCHEMA, TABLES)).as("rows per table: snapshot + committed changes")
                    .containsExactlyInAnyOrderEntriesOf(expected);
            assertThat(BronzeLogs.snapshotCounts(c, SCHEMA, TABLES)).as("snapshot rows (tx_id null)")
                    .containsExactlyInAnyOrderEntriesOf(snapshot);
            for (TableId table : TABLES) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT min(lsn), max(lsn),"
                        + " count(*), count(DISTINCT lsn) FROM " + SCHEMA.tableOf(table))) {
                    rs.next();
                    long count = expected.get(table);
                    assertThat(List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
                            .as("%s: min lsn, max lsn, count, distinct lsn", table)
                            .containsExactly(1L, count, count, count);
                }
                assertStreamedMatchesHistory(c, table);
            }
            ValidationReport report = BronzeValidator.validate(c, SCHEMA, TABLES, ValidationOptions.defaults()
                    .withCompareWithSource(true).withCommitTimeTolerance(Duration.ZERO).withSlot(SLOT));
            assertThat(report.violations()).as("validation:%n%s", report.toText()).isEmpty();
        }
    }

    /**
     * The streamed rows of {@code table} in lsn order against the history in commit order: op, key and tx_id line
     * by line for workload transactions; for a whole-table update (row order within it unknown to the client) its
     * row count of op U lines, each key once.
     */
    private static void assertStreamedMatchesHistory(Connection c, TableId table) throws SQLException {
        List<String> expected = new ArrayList<>();
        Map<Long, Long> bulkRows = new HashMap<>();
        for (Tx tx : HISTORY) {
            if (tx.bulk()) {
                if (table.equals(PAYMENT)) {
                    expected.addAll(Collections.nCopies((int) tx.bulkRows(), "U (whole-table update) tx " + tx.txId()));
                    bulkRows.put(tx.txId(), tx.bulkRows());
                }
            } else {
                tx.changes().stream().filter(change -> change.table().equals(table))
                        .forEach(change -> expected.add(change.op().code() + " " + change.key() + " tx " + tx.txId()));
            }
        }
        List<String> actual = new ArrayList<>();
        Map<Long, Set<String>> bulkKeys = new HashMap<>();
        for (StreamedRow row : BronzeLogs.streamed(c, SCHEMA, table)) {
            if (bulkRows.containsKey(row.txId())) {
                actual.add(row.op() + " (whole-table update) tx " + row.txId());
                bulkKeys.computeIfAbsent(row.txId(), id -> new HashSet<>()).add(row.key());
            } else {
                actual.add(row.historyLine());
            }
        }
        if (!actual.equals(expected)) {
            int i = 0;
            while (i < Math.min(actual.size(), expected.size()) && actual.get(i).equals(expected.get(i))) {
                i++;
            }
            throw new AssertionError(String.format("%s: streamed changes differ from the committed history at"
                    + " streamed change #%d (%d streamed, %d committed): streamed %s, committed %s", table, i + 1,
                    actual.size(), expected.size(), i < actual.size() ? actual.get(i) : "(none)",
                    i < expected.size() ? expected.get(i) : "(none)"));
        }
        bulkRows.forEach((txId, rows) -> assertThat(bulkKeys.getOrDefault(txId, Set.of())).as(
                "distinct keys of whole-table update tx %d in %s", txId, table).hasSize(rows.intValue()));
    }

    private static EngineProcess start(String name) throws IOException {
        EngineProcess run = engine.start(work.resolve("spark-pipeline.yaml"), work.resolve(name + ".out"));
        RUNS.add(run);
        return run;
    }

    private static void awaitSuccess(EngineProcess run) throws InterruptedException {
        int exitCode = run.awaitExit(RUN_TIMEOUT);
        System.out.printf("%s: exit %d after %d ms (JVM start included)%n", run.output().getFileName(), exitCode,
                run.runtime().toMillis());
        assertThat(exitCode).as("exit code of %s; output:%n%s", run.output(), run.tail(TAIL_LINES)).isZero();
    }

    /** Waits until the run's output holds {@code text}; returns System.nanoTime() then. */
    private static long awaitLine(EngineProcess run, String text) throws Exception {
        long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(run.output())
                    && new String(Files.readAllBytes(run.output()), StandardCharsets.UTF_8).contains(text)) {
                return System.nanoTime();
            }
            if (!run.isAlive()) {
                throw new AssertionError(run + " exited before logging '" + text + "'; output:\n"
                        + run.tail(TAIL_LINES));
            }
            Thread.sleep(10);
        }
        run.kill(Duration.ofSeconds(10));
        throw new AssertionError(run + " logged no '" + text + "' within " + RUN_TIMEOUT + "; output:\n"
                + run.tail(TAIL_LINES));
    }

    private static String summaryOf(EngineProcess run) {
        return run.tail(400).lines().filter(line -> line.contains("stream run: appended")).findFirst()
                .map(line -> line.substring(line.indexOf("stream run:"))).orElse("(no summary line)");
    }

    private static String coveredLsn() throws SQLException {
        try (Connection c = POSTGRES.connect(); PreparedStatement ps = c.prepareStatement("SELECT covered_lsn::text"
                + " FROM " + SCHEMA.name() + ".bronze_batch_progress WHERE slot_name = ?")) {
            ps.setString(1, SLOT);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("progress row of %s", SLOT).isTrue();
                return rs.getString(1);
            }
        }
    }

    private static String slotConfirmed(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT confirmed_flush_lsn::text"
                + " FROM pg_replication_slots WHERE slot_name = '" + SLOT + "'")) {
            return rs.next() ? rs.getString(1) : "(no slot)";
        }
    }

    /** Backends the pipeline's runs opened (their application_name names the slot). */
    private static long runBackends(Connection c) throws SQLException {
        return BronzeLogs.single(c, "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE"
                + " 'bronze-cdc spark " + SLOT + " %'");
    }

    private static void writeConfig(Path password) throws IOException {
        Files.writeString(work.resolve("spark-pipeline.yaml"), TestPipelineYaml.of(POSTGRES.server().port(),
                POSTGRES.database(), SLOT, SCHEMA.name(), "file: " + password.toAbsolutePath()));
    }
}
