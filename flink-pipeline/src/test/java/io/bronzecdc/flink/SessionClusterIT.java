package io.bronzecdc.flink;

import static io.bronzecdc.flink.testing.PipelineUnderTest.TABLES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bronzecdc.flink.testing.PipelineUnderTest;
import io.bronzecdc.flink.testing.SessionCluster;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.PagilaFiles;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.ProjectScript;
import io.bronzecdc.model.testing.TestPipelineYaml;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a real Flink session cluster (a JobManager and a TaskManager JVM started by {@code bin/flink-session
 * start}), submitted through Flink's CLI frontend ({@code bin/flink-session run -- run -d ...}), one cluster for the
 * whole class, the tests in order:
 * <ol>
 *   <li>job A reaches RUNNING, lands the Pagila snapshot and streams changes: exact counts, valid bronze;</li>
 *   <li>the source password (a real one: the role logs in with SCRAM) appears in no log file of the cluster or the
 *       CLI, no REST log, config or exception endpoint, and no process's arguments (issue 7);</li>
 *   <li>job A is cancelled, keeps its last checkpoint, and job B resumes from it with {@code flink run -s}: nothing
 *       lost or doubled; job B, the second job on the same TaskManager, has no failed attempt ("No suitable
 *       driver" before the shared connection factory);</li>
 *   <li>the TaskManager's Prometheus endpoint (the reporter {@code bin/flink-session start} enables) serves the
 *       per-table changes counter with the exact number of changes, the lag gauge, the sink's commit latency and
 *       pending prepared transactions and the slot's retained WAL;</li>
 *   <li>the TaskManager is killed with SIGKILL under a seeded workload and started again with {@code
 *       bin/flink-session taskmanager start}: job B resumes from its checkpoint, bronze is exact and valid.</li>
 * </ol>
 * Needs the job jar ({@code mvn package} runs before Failsafe); {@code -Dbronze.job.jar=<path>} overrides where it
 * is looked for. Script output and cluster logs stay in {@code target/session-cluster-it/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SessionClusterIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    /** The pipeline YAML names this variable; only the CLI process (where the job's main runs) gets it. */
    private static final String PASSWORD_ENV = "BRONZE_IT_SESSION_PASSWORD";
    /** Recognisable in any output; the role below logs in with it (SCRAM), so it must really reach pgjdbc. */
    private static final String PASSWORD = "bronze-IT-secret-Qx7Zv3Kd";
    private static final String USER = "it_session_user";
    private static final String SLOT = "it_session_cluster";
    private static final long SEED = 7_2026L;
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration LAND_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(4);

    @TempDir
    static Path configDir;

    private static Path root;
    private static SessionCluster cluster;
    private static Path pipeline;
    private static Map<TableId, Long> expected;
    private static ChangeWorkload workload;
    private static String jobA;
    private static String jobB;
    private static volatile String currentJob;

    @BeforeAll
    static void startSessionCluster() throws Exception {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        root = module.getParent();
        try (Connection c = POSTGRES.connect()) {
            SourceSchema.create(c);
            PagilaLoader.loadFiles(c, PagilaFiles.directory());
            requirePasswordLogin(c);
        }
        expected = sourceCounts();
        System.out.println("SessionClusterIT workload seed " + SEED);
        workload = new ChangeWorkload(SEED, 5);
        pipeline = configDir.resolve("pipeline.yaml");
        Files.writeString(pipeline, TestPipelineYaml.of(POSTGRES.server().port(), POSTGRES.database(), USER, SLOT,
                BronzeSchema.DEFAULT_NAME, "env: " + PASSWORD_ENV));
        cluster = SessionCluster.in(root, module.resolve("target/session-cluster-it"));
        cluster.start();
    }

    @AfterAll
    static void cancelJobAndStopCluster() throws Exception {
        if (cluster == null) {
            return;
        }
        try {
            String job = currentJob;
            if (job != null && cluster.jobState(job).filter(s -> !List.of("FINISHED", "CANCELED", "FAILED")
                    .contains(s)).isPresent()) {
                cluster.cancel(job, JOB_TIMEOUT);
            }
        } finally {
            cluster.stop();
        }
    }

    @Test
    @Order(1)
    void shouldRunTheSubmittedJobOnTheClusterJvmsAndStreamExactly() throws Exception {
        jobA = cluster.submit("submit-a", Map.of(PASSWORD_ENV, PASSWORD), "run", "-d", "-c",
                BronzeCdcJob.class.getName(), jobJar().toString(), "--config", pipeline.toString(), "--init");
        currentJob = jobA;
        cluster.awaitRunning(jobA, JOB_TIMEOUT);
        JsonNode overview = cluster.get("/overview");
        assertThat(overview.path("taskmanagers").asInt()).as("TaskManagers").isEqualTo(1);
        assertThat(overview.path("slots-total").asInt() - overview.path("slots-available").asInt())
                .as("slots in use by the job (parallelism 1, one slot-sharing group)").isEqualTo(1);
        assertThat(cluster.jvms()).hasSize(2).noneMatch(h -> h.pid() == ProcessHandle.current().pid());
        // REST's job config shows only the legacy restart setting; the JobMaster logs the strategy it uses.
        assertThat(cluster.getText("/jobmanager/log")).as("the job's own restart strategy (JobManager log)")
                .contains("ExponentialDelayRestartBackoffTimeStrategy(initialBackoffMS=1000, maxBackoffMS=60000,")
                .contains("attemptsBeforeResetBackoff=" + RecoveryPolicy.ATTEMPTS);

        awaitBronzeExactly(expected, jobA);
        applyWorkload(40);
        awaitBronzeExactly(expected, jobA);
        long completed = cluster.completedCheckpoints(jobA);
        await("a checkpoint after the streamed changes").atMost(JOB_TIMEOUT)
                .until(() -> cluster.completedCheckpoints(jobA) > completed);
        assertValidBronze();
    }

    /**
     * A second {@code flink run} of the same pipeline without {@code -s}: its initial snapshot would write the rows
     * bronze already holds, and the first job reads the slot. {@code main} refuses before submitting, so the CLI
     * exits 2 with the message instead of "Job has been submitted", and the cluster runs one job as before.
     */
    @Test
    @Order(2)
    void shouldRefuseASecondJobOnTheRunningJobsSlotBeforeSubmitting() throws Exception {
        assertThat(jobA).as("the job submitted by the first test").isNotNull();
        ProjectScript.Result again = cluster.script("submit-again", Map.of(PASSWORD_ENV, PASSWORD), "run", "--",
                "run", "-d", "-c", BronzeCdcJob.class.getName(), jobJar().toString(), "--config", pipeline.toString(),
                "--init");

        assertThat(again.exitCode()).as("flink run exit code; output:%n%s", again.output())
                .isEqualTo(BronzeCdcJob.EXIT_NOT_READY);
        // Bronze holds rows that this (pgoutput) source's sink wrote, which a start without state would resume; the
        // running job's slot is what refuses the second one.
        assertThat(again.output()).contains("nothing was changed", "(1 problem;",
                "replication slot " + SLOT + " is in use by process").doesNotContain("Job has been submitted");
        JsonNode overview = cluster.get("/overview");
        assertThat(overview.path("jobs-running").asInt()).as("running jobs").isEqualTo(1);
        assertThat(overview.path("jobs-failed").asInt() + overview.path("jobs-cancelled").asInt()).isZero();
        assertThat(cluster.jobState(jobA)).contains("RUNNING");
    }

    @Test
    @Order(3)
    void shouldShowThePasswordInNoLogRestEndpointOrProcessArgument() throws Exception {
        assertThat(jobA).as("the job submitted by the first test").isNotNull();
        Map<String, String> outputs = new LinkedHashMap<>();
        try (Stream<Path> files = Stream.concat(Files.walk(cluster.logDirectory()),
                Files.list(cluster.workDirectory()))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                outputs.put(file.toString(), new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(outputs.keySet()).as("log files").anyMatch(f -> f.endsWith("taskmanager.log"))
                .anyMatch(f -> f.endsWith("jobmanager.log")).anyMatch(f -> f.endsWith("flink-client.log"));
        assertThat(outputs.get(cluster.logDirectory().resolve("taskmanager.log").toString()))
                .as("the TaskManager log holds the pgoutput source's start line (the scan looks at the right file)")
                .contains("Streaming slot " + SLOT + " from ");
        for (String path : restEndpoints()) {
            outputs.put("GET " + path, cluster.getText(path));
        }
        outputs.put("ps -eo args", processArguments());
        outputs.put("GET /metrics of the TaskManager's Prometheus endpoint", cluster.taskManagerMetrics());
        outputs.put("GET /metrics of the JobManager's Prometheus endpoint", cluster.jobManagerMetrics());
        List<String> leaks = new ArrayList<>();
        outputs.forEach((where, text) -> {
            int at = text.indexOf(PASSWORD);
            if (at >= 0) {
                leaks.add(where + ": ..." + text.substring(Math.max(0, at - 80), at).replace('\n', ' ') + "<password>");
            }
        });
        assertThat(outputs).as("outputs scanned").hasSizeGreaterThan(20);
        assertThat(leaks).as("places that show the source password").isEmpty();
    }

    /**
     * Runs while job A streams (after test 1, whose changes are all in bronze). The order among tests 2 and 3 does
     * not matter: none of them changes the source.
     */
    @Test
    @Order(3)
    void shouldServeTheJobsMetricsOnThePrometheusEndpoint() throws Exception {
        assertThat(jobA).as("the job submitted by the first test").isNotNull();
        await("the job's metrics on the TaskManager's Prometheus endpoint").atMost(JOB_TIMEOUT)
                .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    String page = cluster.taskManagerMetrics();
                    for (TableId table : TABLES) {
                        assertThat(metric(page, "flink_taskmanager_job_task_operator_table_changes", table))
                                .as("changes counter of %s", table).isEqualTo((double) expected.get(table));
                        assertThat(metric(page, "flink_taskmanager_job_task_operator_table_lagMillis", table))
                                .as("lag gauge of %s (ms)", table).isGreaterThanOrEqualTo(0.0);
                        assertThat(metric(page, "flink_taskmanager_job_task_operator_table_changesPerSecond", table))
                                .as("rate of %s", table).isGreaterThanOrEqualTo(0.0);
                    }
                    assertThat(metric(page, "flink_taskmanager_job_task_operator_bronze_commitLatencyMillis", null))
                            .as("commit latency of the last COMMIT PREPARED (ms)").isGreaterThan(0.0);
                    assertThat(metric(page, "flink_taskmanager_job_task_operator_bronze_pendingPreparedTransactions",
                            null)).as("pending prepared transactions (one checkpoint in flight at most)")
                            .isBetween(0.0, 2.0);
                    assertThat(metric(page, "flink_taskmanager_job_task_operator_bronze_slotRetainedWalBytes", null))
                            .as("WAL bytes the slot retains").isBetween(0.0, (double) walWritten());
                });
    }

    /**
     * The value of the one sample of {@code name} in a Prometheus page whose {@code table} label is {@code table}
     * (the reporter writes the name's dots as underscores), or of its only sample when {@code table} is null.
     */
    private static double metric(String page, String name, TableId table) {
        String label = table == null ? null : "table=\"" + table.schema() + "_" + table.name() + "\"";
        List<Double> values = page.lines().filter(l -> l.startsWith(name + "{"))
                .filter(l -> label == null || l.contains(label))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).toList();
        assertThat(values).as("samples of %s%s in:%n%s", name, label == null ? "" : " with " + label,
                page.lines().filter(l -> l.contains("bronze_") || l.contains("_table_")).toList()).hasSize(1);
        return values.get(0);
    }

    /** Bytes of WAL the server has written since 0/0: no slot can retain more. */
    private static long walWritten() throws SQLException {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    @Order(4)
    void shouldResumeACancelledJobFromItsRetainedCheckpointWithNothingLostOrDoubled() throws Exception {
        assertThat(jobA).as("the job submitted by the first test").isNotNull();
        assertThat(cluster.failedAttempts(jobA)).as("failed attempts of job A").isEmpty();
        cluster.cancel(jobA, JOB_TIMEOUT);
        currentJob = null;
        // As the README says: the chk-<n> with the highest n that has its _metadata (REST statistics may lag).
        Path checkpoint = cluster.retainedCheckpoints(jobA).stream().reduce((first, second) -> second)
                .orElseThrow(() -> new AssertionError("no checkpoint of job A kept after its cancellation"));

        applyWorkload(60); // while no job runs: the slot keeps these changes for job B
        List<String> cliArguments = new CopyOnWriteArrayList<>();
        AtomicBoolean submitting = new AtomicBoolean(true);
        Thread sampler = sampleCliArguments(cliArguments, submitting);
        try {
            jobB = cluster.submit("submit-b", Map.of(PASSWORD_ENV, PASSWORD), "run", "-d", "-s",
                    checkpoint.toUri().toString(), "-c", BronzeCdcJob.class.getName(), jobJar().toString(),
                    "--config", pipeline.toString());
        } finally {
            submitting.set(false);
            sampler.join(TimeUnit.SECONDS.toMillis(10));
        }
        currentJob = jobB;
        assertThat(cliArguments).as("the CLI frontend's arguments while it ran").isNotEmpty()
                .noneMatch(args -> args.contains(PASSWORD));
        cluster.awaitRunning(jobB, JOB_TIMEOUT);
        awaitBronzeExactly(expected, jobB);
        applyWorkload(40);
        awaitBronzeExactly(expected, jobB);
        assertValidBronze();
        assertThat(cluster.failedAttempts(jobB)).as("failed attempts of job B, the second job on this TaskManager")
                .isEmpty();
    }

    @Test
    @Order(5)
    void shouldResumeFromTheCheckpointWhenAKilledTaskManagerIsStartedAgainWithTheScript() throws Exception {
        assertThat(jobB).as("the job resumed by the previous test").isNotNull();
        ProcessHandle taskManager = cluster.jvm("taskmanager").orElseThrow();
        try (BackgroundWorkload running = new BackgroundWorkload()) {
            long streamed = streamedRows();
            long checkpoints = cluster.completedCheckpoints(jobB);
            await("changes streamed and checkpointed under load").atMost(JOB_TIMEOUT).until(() -> {
                running.requireRunning();
                return streamedRows() > streamed + 100 && cluster.completedCheckpoints(jobB) > checkpoints + 1;
            });
            assertThat(taskManager.destroyForcibly()).as("SIGKILL sent to the TaskManager").isTrue();
            taskManager.onExit().get(30, TimeUnit.SECONDS);

            ProjectScript.Result restart = cluster.script("taskmanager-start", Map.of(), "taskmanager", "start");
            assertThat(restart.exitCode()).as("taskmanager start; output:%n%s", restart.output()).isZero();
            assertThat(cluster.jvm("taskmanager").map(ProcessHandle::pid)).as("a new TaskManager").isPresent()
                    .isNotEqualTo(java.util.Optional.of(taskManager.pid()));
            await("job B restarted after the TaskManager loss").atMost(RECOVERY_TIMEOUT)
                    .pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(cluster.failedAttempts(jobB)).isNotEmpty());
            cluster.awaitRunning(jobB, RECOVERY_TIMEOUT);
            long streamedAfter = streamedRows();
            await("job B streams again under load").atMost(RECOVERY_TIMEOUT).until(() -> {
                running.requireRunning();
                return streamedRows() > streamedAfter + 100;
            });
            running.stopAndCount();
        }
        awaitBronzeExactly(expected, jobB);
        assertValidBronze();
        ProjectScript.Result again = cluster.script("taskmanager-start-again", Map.of(), "taskmanager", "start");
        assertThat(again.exitCode()).as("a second start while it runs is a no-op").isZero();
        assertThat(again.output()).contains("already running");
    }

    /** The REST endpoints that serve logs, configuration and exceptions of the cluster and the running job. */
    private static List<String> restEndpoints() throws Exception {
        List<String> paths = new ArrayList<>(List.of("/jobmanager/log", "/jobmanager/stdout", "/jobmanager/config",
                "/jobmanager/environment", "/jobs/" + jobA, "/jobs/" + jobA + "/config", "/jobs/" + jobA
                        + "/jobmanager/config", "/jobs/" + jobA + "/exceptions", "/jobs/" + jobA + "/plan",
                "/jobs/" + jobA + "/checkpoints/config", "/taskmanagers"));
        for (JsonNode log : cluster.get("/jobmanager/logs").path("logs")) {
            paths.add("/jobmanager/logs/" + log.path("name").asText());
        }
        for (JsonNode vertex : cluster.get("/jobs/" + jobA).path("vertices")) {
            paths.add("/jobs/" + jobA + "/vertices/" + vertex.path("id").asText());
        }
        for (JsonNode taskManager : cluster.get("/taskmanagers").path("taskmanagers")) {
            String id = "/taskmanagers/" + taskManager.path("id").asText();
            paths.addAll(List.of(id, id + "/log", id + "/stdout"));
            for (JsonNode log : cluster.get(id + "/logs").path("logs")) {
                paths.add(id + "/logs/" + log.path("name").asText());
            }
        }
        return paths;
    }

    /** {@code ps -eo args}: every process's command line. */
    private static String processArguments() throws Exception {
        String output = ps();
        assertThat(output).as("ps output lists the cluster JVMs").contains("TaskManagerRunner");
        return output;
    }

    private static String ps() throws IOException, InterruptedException {
        Process ps = new ProcessBuilder("ps", "-eo", "args").redirectErrorStream(true).start();
        String output = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ps.waitFor(30, TimeUnit.SECONDS)) {
            ps.destroyForcibly();
            throw new IOException("ps did not finish within 30 s");
        }
        return output;
    }

    /** Collects the command lines of running CLI frontends ({@code ps -eo args}) until {@code running} ends. */
    private static Thread sampleCliArguments(List<String> seen, AtomicBoolean running) {
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                try {
                    ps().lines().filter(l -> l.contains("CliFrontend")).forEach(seen::add);
                } catch (IOException | InterruptedException e) {
                    seen.add("ps failed: " + e);
                    return;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }, "cli-arguments");
        sampler.setDaemon(true);
        sampler.start();
        return sampler;
    }

    /** A role that must log in with {@link #PASSWORD} (SCRAM on loopback, also for replication connections). */
    private static void requirePasswordLogin(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + USER + "') THEN"
                    + " CREATE ROLE " + USER + " LOGIN SUPERUSER REPLICATION; END IF; END $$");
            s.execute("SET password_encryption = 'scram-sha-256'");
            s.execute("ALTER ROLE " + USER + " PASSWORD '" + PASSWORD + "'");
            Path hba;
            try (ResultSet rs = s.executeQuery("SHOW hba_file")) {
                rs.next();
                hba = Path.of(rs.getString(1));
            }
            String rules = "host all " + USER + " 127.0.0.1/32 scram-sha-256\n"
                    + "host replication " + USER + " 127.0.0.1/32 scram-sha-256\n";
            String current = Files.readString(hba);
            if (!current.startsWith(rules)) {
                Files.writeString(hba, rules + current);
            }
            s.execute("SELECT pg_reload_conf()");
        }
        String url = POSTGRES.jdbcUrl();
        await("the server asks " + USER + " for its password").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThatThrownBy(() -> DriverManager.getConnection(url, USER, "wrong").close())
                        .hasMessageContaining("password authentication failed"));
        DriverManager.getConnection(url, USER, PASSWORD).close();
    }

    private static void applyWorkload(int transactions) throws SQLException {
        try (Connection c = POSTGRES.connect()) {
            add(workload.run(c, transactions));
        }
    }

    private static synchronized void add(List<CommittedTransaction> committed) {
        for (TableId table : TABLES) {
            expected.merge(table, (long) PipelineUnderTest.committedChanges(committed, table).size(), Long::sum);
        }
    }

    private static void awaitBronzeExactly(Map<TableId, Long> counts, String job) {
        await("bronze counts " + counts).atMost(LAND_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    assertThat(cluster.jobState(job)).as("job state while bronze catches up").contains("RUNNING");
                    Map<TableId, Long> bronze = bronzeCounts();
                    counts.forEach((table, rows) -> assertThat(bronze.get(table))
                            .as("never more rows than source changes in " + table).isLessThanOrEqualTo(rows));
                    assertThat(bronze).containsExactlyInAnyOrderEntriesOf(counts);
                });
    }

    private static void assertValidBronze() throws SQLException {
        ValidationReport report;
        try (Connection c = POSTGRES.connect()) {
            report = BronzeValidator.validate(c, BronzeSchema.defaultSchema(), TABLES,
                    ValidationOptions.defaults().withCompareWithSource(true));
        }
        assertThat(report.violations()).as(report.toText()).isEmpty();
        for (TableId table : TABLES) {
            long rows = expected.get(table);
            assertThat(report.table(table.name()).orElseThrow().lsn()).as(table.name())
                    .extracting("min", "max", "distinct").containsExactly(1L, rows, rows);
        }
    }

    private static Map<TableId, Long> sourceCounts() throws SQLException {
        return counts("public", TableId::name);
    }

    private static Map<TableId, Long> bronzeCounts() throws SQLException {
        return counts(BronzeSchema.DEFAULT_NAME, BronzeSchema::logTableName);
    }

    private static long streamedRows() throws SQLException {
        long rows = 0;
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            for (TableId table : TABLES) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + BronzeSchema.DEFAULT_NAME + "."
                        + BronzeSchema.logTableName(table) + " WHERE tx_id IS NOT NULL")) {
                    rs.next();
                    rows += rs.getLong(1);
                }
            }
        }
        return rows;
    }

    private static Map<TableId, Long> counts(String schema, java.util.function.Function<TableId, String> name)
            throws SQLException {
        Map<TableId, Long> counts = new LinkedHashMap<>();
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            for (TableId table : TABLES) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema + "." + name.apply(table))) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        }
        return counts;
    }

    private static Path jobJar() throws IOException {
        return ProjectScript.builtJar(root.resolve("flink-pipeline/target"), "flink-pipeline-.*-job\\.jar",
                "bronze.job.jar");
    }

    /** The seeded workload committing on its own thread, about 100 transactions a second, until stopped. */
    private static final class BackgroundWorkload implements AutoCloseable {
        private final List<CommittedTransaction> committed = Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;
        private boolean counted;

        BackgroundWorkload() {
            thread = new Thread(() -> {
                try (Connection c = POSTGRES.connect()) {
                    while (!stop.get()) {
                        committed.add(workload.runTransaction(c));
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // a steady rate, not a wait
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "session-it-workload");
            thread.setDaemon(true);
            thread.start();
        }

        void requireRunning() {
            assertThat(failure.get()).as("workload failure").isNull();
            assertThat(thread.isAlive()).as("workload thread alive").isTrue();
        }

        /** Stops after the transaction in progress and adds everything committed to the expected counts. */
        void stopAndCount() throws InterruptedException {
            stop.set(true);
            thread.join(TimeUnit.MINUTES.toMillis(1));
            assertThat(thread.isAlive()).as("workload thread stopped").isFalse();
            assertThat(failure.get()).as("workload failure").isNull();
            add(List.copyOf(committed));
            counted = true;
        }

        @Override
        public void close() throws InterruptedException {
            if (!counted) {
                stop.set(true);
                thread.join(TimeUnit.MINUTES.toMillis(1));
            }
        }
    }
}
