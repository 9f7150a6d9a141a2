package io.bronzecdc.flink;

import static io.bronzecdc.flink.testing.PipelineUnderTest.TABLES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.PagilaLoader;
import io.bronzecdc.model.source.SourceSchema;
import io.bronzecdc.model.testing.PagilaFiles;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.TestPipelineYaml;
import io.bronzecdc.model.testing.ProjectScript;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance item 10 of issue 3: on a real Flink session cluster (a JobManager and a TaskManager JVM started by
 * {@code bin/flink-session start}), the job jar submitted through Flink's CLI frontend ({@code bin/flink-session run
 * -- run -d ...}) reaches RUNNING and lands the Pagila snapshot in bronze: exact counts, lsn dense, replay equal to
 * the source. The job is cancelled and the cluster stopped afterwards, also when a test fails.
 *
 * <p>Needs the job jar ({@code mvn package} runs before Failsafe); {@code -Dbronze.job.jar=<path>} overrides where
 * it is looked for. Script output and cluster logs stay in {@code target/session-cluster-it/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SessionClusterIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    /** The pipeline YAML names this variable; only the CLI process (where the job's main runs) gets it. */
    private static final String PASSWORD_ENV = "BRONZE_IT_SESSION_PASSWORD";
    private static final String SLOT = "it_session_cluster";
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration SNAPSHOT_TIMEOUT = Duration.ofMinutes(4);
    private static final Pattern SUBMITTED = Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path configDir;

    private static Path root;
    private static Path work;
    private static Path clusterDir;
    private static int restPort;
    private static boolean clusterStarted;
    private static String jobId;

    @BeforeAll
    static void startSessionCluster() throws Exception {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        root = module.getParent();
        assertThat(root.resolve("bin/flink-session")).as("the session cluster script").isExecutable();
        work = module.resolve("target/session-cluster-it");
        clusterDir = work.resolve("cluster");
        Files.createDirectories(work);
        try (Connection c = POSTGRES.connect()) {
            SourceSchema.create(c);
            PagilaLoader.loadFiles(c, PagilaFiles.directory());
        }
        restPort = freeLoopbackPort();
        clusterStarted = true; // from here on @AfterAll stops whatever the script started
        // A cluster left behind by an aborted earlier run in the same directory (stop is idempotent).
        assertThat(script("stop-leftover", Map.of(), "stop", "--dir", clusterDir.toString()).exitCode()).isZero();
        ProjectScript.Result start = script("start", Map.of(), "start", "--dir", clusterDir.toString(), "--port",
                String.valueOf(restPort));
        assertThat(start.exitCode()).as("bin/flink-session start exit code; output:%n%s", start.output()).isZero();
        assertThat(start.output()).contains("web UI http://127.0.0.1:" + restPort);
    }

    @AfterAll
    static void cancelJobAndStopCluster() throws Exception {
        if (!clusterStarted) {
            return;
        }
        try {
            if (jobId != null && jobState(jobId).filter(state -> !isTerminal(state)).isPresent()) {
                HttpResponse<String> cancel = HTTP.send(HttpRequest.newBuilder(rest("/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(cancel.statusCode()).as("PATCH /jobs/%s?mode=cancel: %s", jobId, cancel.body()).isEqualTo(202);
                await().atMost(JOB_TIMEOUT).pollInterval(Duration.ofMillis(250))
                        .untilAsserted(() -> assertThat(jobState(jobId)).contains("CANCELED"));
            }
        } finally {
            List<ProcessHandle> jvms = clusterJvms();
            ProjectScript.Result stop = script("stop", Map.of(), "stop", "--dir", clusterDir.toString());
            assertThat(stop.exitCode()).as("bin/flink-session stop exit code; output:%n%s", stop.output()).isZero();
            assertThat(jvms).as("cluster JVMs still alive after stop").noneMatch(ProcessHandle::isAlive);
        }
    }

    @Test
    @Order(1)
    void shouldRunTheJobSubmittedThroughTheCliFrontendOnTheClusterJvms() throws Exception {
        Path pipeline = writePipelineYaml();
        ProjectScript.Result submit = script("submit", Map.of(PASSWORD_ENV, "trust-auth-ignores-it"), "run", "--dir",
                clusterDir.toString(), "--", "run", "-d", "-c", BronzeCdcJob.class.getName(), jobJar().toString(),
                "--config", pipeline.toString(), "--init");
        assertThat(submit.exitCode()).as("flink run exit code; output:%n%s", submit.output()).isZero();
        Matcher submitted = SUBMITTED.matcher(submit.output());
        assertThat(submitted.find()).as("job id in the flink run output:%n%s", submit.output()).isTrue();
        jobId = submitted.group(1);

        await().atMost(JOB_TIMEOUT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            JsonNode job = get("/jobs/" + jobId);
            assertThat(job.path("state").asText()).as("job state").isEqualTo("RUNNING");
            List<String> vertices = new ArrayList<>();
            job.path("vertices").forEach(v -> vertices.add(v.path("name").asText() + "=" + v.path("status").asText()));
            assertThat(vertices).as("job vertices").isNotEmpty().allMatch(v -> v.endsWith("=RUNNING"));
        });
        JsonNode overview = get("/overview");
        assertThat(overview.path("taskmanagers").asInt()).as("TaskManagers").isEqualTo(1);
        assertThat(overview.path("jobs-running").asInt()).as("running jobs").isEqualTo(1);
        assertThat(overview.path("slots-total").asInt() - overview.path("slots-available").asInt())
                .as("slots in use by the job (parallelism 1, one slot-sharing group)").isEqualTo(1);
        // The JobManager and TaskManager are JVMs of their own, not the test's.
        assertThat(clusterJvms()).hasSize(2).allMatch(ProcessHandle::isAlive)
                .noneMatch(h -> h.pid() == ProcessHandle.current().pid());
    }

    @Test
    @Order(2)
    void shouldLandThePagilaSnapshotInBronzeExactlyAndDense() throws Exception {
        assertThat(jobId).as("the job submitted by the first test").isNotNull();
        Map<TableId, Long> expected = Map.of(TableId.of("customer"), 599L, TableId.of("payment"), 16_049L,
                TableId.of("rental"), 16_044L);
        await().atMost(SNAPSHOT_TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(jobState(jobId)).as("job state while the snapshot lands").contains("RUNNING");
            Map<TableId, Long> counts = bronzeCounts();
            expected.forEach((table, rows) -> assertThat(counts.get(table))
                    .as("never more rows than source rows in " + table).isLessThanOrEqualTo(rows));
            assertThat(counts).containsExactlyInAnyOrderEntriesOf(expected);
        });
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

    /**
     * A second {@code flink run} of the same pipeline without {@code -s}: its initial snapshot would write the rows
     * bronze already holds, and the first job reads the slot. {@code main} refuses before submitting, so the CLI
     * exits 2 with the message instead of "Job has been submitted", and the cluster runs one job as before.
     */
    @Test
    @Order(3)
    void shouldRefuseAStartWithoutStateIntoAWrittenBronzeBeforeSubmitting() throws Exception {
        assertThat(jobId).as("the job submitted by the first test").isNotNull();
        ProjectScript.Result again = script("submit-again", Map.of(PASSWORD_ENV, "trust-auth-ignores-it"), "run",
                "--dir", clusterDir.toString(), "--", "run", "-d", "-c", BronzeCdcJob.class.getName(),
                jobJar().toString(), "--config", writePipelineYaml().toString(), "--init");

        assertThat(again.exitCode()).as("flink run exit code; output:%n%s", again.output())
                .isEqualTo(BronzeCdcJob.EXIT_NOT_READY);
        assertThat(again.output()).contains("nothing was changed",
                "bronze schema cdc_bronze already holds rows", "flink run -s <path>",
                "replication slot " + SLOT + " is in use by process").doesNotContain("Job has been submitted");
        JsonNode overview = get("/overview");
        assertThat(overview.path("jobs-running").asInt()).as("running jobs").isEqualTo(1);
        assertThat(overview.path("jobs-failed").asInt() + overview.path("jobs-cancelled").asInt()).isZero();
        assertThat(jobState(jobId)).contains("RUNNING");
    }

    private static Path writePipelineYaml() throws IOException {
        Path file = configDir.resolve("pipeline.yaml");
        Files.writeString(file, TestPipelineYaml.of(POSTGRES.server().port(), POSTGRES.database(),
                SLOT, BronzeSchema.DEFAULT_NAME, "env: " + PASSWORD_ENV));
        return file;
    }

    private static Path jobJar() throws IOException {
        return ProjectScript.builtJar(root.resolve("flink-pipeline/target"), "flink-pipeline-.*-job\\.jar", "bronze.job.jar");
    }

    /** Runs bin/flink-session from the project root; output to {@code <name>.out} in the IT's work directory. */
    private static ProjectScript.Result script(String name, Map<String, String> env, String... args) throws Exception {
        return new ProjectScript(root, "bin/flink-session", work, SCRIPT_TIMEOUT).run(name, env, args);
    }

    /** The JobManager and TaskManager processes named by the script's pid files. */
    private static List<ProcessHandle> clusterJvms() throws IOException {
        List<ProcessHandle> jvms = new ArrayList<>();
        for (String name : List.of("jobmanager", "taskmanager")) {
            Path pidFile = clusterDir.resolve(name + ".pid");
            if (Files.exists(pidFile)) {
                ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(jvms::add);
            }
        }
        return jvms;
    }

    private static URI rest(String path) {
        return URI.create("http://127.0.0.1:" + restPort + path);
    }

    private static JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(rest(path)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** The job's state from {@code /jobs/overview}, empty when the cluster does not know the job. */
    private static Optional<String> jobState(String id) throws IOException, InterruptedException {
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            if (job.path("jid").asText().equals(id)) {
                return Optional.of(job.path("state").asText());
            }
        }
        return Optional.empty();
    }

    private static boolean isTerminal(String state) {
        return List.of("FINISHED", "CANCELED", "FAILED").contains(state);
    }

    private static Map<TableId, Long> bronzeCounts() throws SQLException {
        Map<TableId, Long> counts = new LinkedHashMap<>();
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            for (TableId table : TABLES) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + BronzeSchema.DEFAULT_NAME + "."
                        + table.bronzeTableName())) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        }
        return counts;
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
