package io.bronzecdc.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.PagilaFiles;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.ProjectScript;
import io.bronzecdc.model.testing.TestPipelineYaml;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.model.ExitCode;
import io.bronzecdc.spark.exec.TaskFault;
import io.bronzecdc.spark.job.MicroBatchJob;
import io.bronzecdc.spark.metrics.BronzeMetricsPlugin;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.testkit.workload.CommittedTransaction;
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
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a real Spark standalone cluster (a Master and two Worker JVMs started by {@code bin/spark-standalone start
 * --workers 2}), the application jar submitted through Spark's submit class ({@code bin/spark-standalone submit --
 * --master spark://... --class MicroBatchJob <app.jar> ...}, client deploy mode) runs the first micro-batch with one
 * executor on each Worker and exits 0. The job's task listener shows the snapshot read, the encoding and the staged
 * writes ran as tasks on both executors and none on the driver, and the Pagila snapshot lands in bronze: exact
 * counts, lsn dense, replay equal to the source. In a second run, a batch of the Structured Streaming query after a
 * seeded I/U/D workload, the write task halts its executor's JVM after committing its staged rows and
 * before reporting them ({@link TaskFault} {@code STAGED:halt}), twice, so both executors die: the application goes
 * on with new executors (reading the slot again, as the stream task's output died too), exits 0, and bronze is
 * exact. The cluster is stopped afterwards, also when a test fails.
 *
 * <p>Needs the application jar ({@code mvn package} runs before Failsafe); {@code -Dbronze.app.jar=<path>} overrides
 * where it is looked for. Script output and cluster logs stay in {@code target/standalone-cluster-it/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    /** The pipeline YAML names this variable; only the submit process (where the driver runs) gets it. */
    private static final String PASSWORD_ENV = "BRONZE_IT_STANDALONE_PASSWORD";
    private static final String SLOT = "it_standalone_cluster";
    private static final List<String> WORKERS = List.of("worker-1", "worker-2");
    private static final List<TableId> TABLES = List.of(TableId.of("customer"), TableId.of("payment"),
            TableId.of("rental"));
    private static final Map<TableId, Long> PAGILA_ROWS = Map.of(TableId.of("customer"), 599L,
            TableId.of("payment"), 16_049L, TableId.of("rental"), 16_044L);
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration APP_TIMEOUT = Duration.ofMinutes(1);
    private static final Pattern LOST_EXECUTOR = Pattern.compile("Lost executor (\\d+) on ");
    private static final Pattern APP_ID = Pattern.compile("Connected to Spark cluster with app ID (app-[0-9]+-[0-9]+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path configDir;

    private static Path root;
    private static Path work;
    private static Path clusterDir;
    private static int masterPort;
    private static int webUiPort;
    private static boolean clusterStarted;
    private static String appId;

    @BeforeAll
    static void startStandaloneCluster() throws Exception {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        root = module.getParent();
        assertThat(root.resolve("bin/spark-standalone")).as("the standalone cluster script").isExecutable();
        work = module.resolve("target/standalone-cluster-it");
        clusterDir = work.resolve("cluster");
        Files.createDirectories(work);
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            SourceSchema.create(c);
            PagilaLoader.loadFiles(c, PagilaFiles.directory());
            // What the job's preflight requires and leaves to the operator: the pipeline's own publication.
            s.execute("CREATE PUBLICATION " + SLOT + "_pub FOR TABLE customer, payment, rental"
                    + " WITH (publish_via_partition_root = true)");
        }
        masterPort = freeLoopbackPort();
        webUiPort = freeLoopbackPort();
        clusterStarted = true; // from here on @AfterAll stops whatever the script started
        // A cluster left behind by an aborted earlier run in the same directory (stop is idempotent).
        assertThat(script("stop-leftover", Map.of(), "stop", "--dir", clusterDir.toString()).exitCode()).isZero();
        ProjectScript.Result start = script("start", Map.of(), "start", "--dir", clusterDir.toString(), "--port",
                String.valueOf(masterPort), "--webui-port", String.valueOf(webUiPort), "--workers", "2");
        assertThat(start.exitCode()).as("bin/spark-standalone start exit code; output:%n%s", start.output()).isZero();
        assertThat(start.output()).contains("master spark://127.0.0.1:" + masterPort,
                "web UI http://127.0.0.1:" + webUiPort);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (!clusterStarted) {
            return;
        }
        List<ProcessHandle> jvms = clusterJvms();
        ProjectScript.Result stop = script("stop", Map.of(), "stop", "--dir", clusterDir.toString());
        assertThat(stop.exitCode()).as("bin/spark-standalone stop exit code; output:%n%s", stop.output()).isZero();
        assertThat(jvms).as("cluster JVMs still alive after stop").noneMatch(ProcessHandle::isAlive);
        assertThat(clusterDir.resolve("master.pid")).as("master pid file after stop").doesNotExist();
        for (String worker : WORKERS) {
            assertThat(clusterDir.resolve(worker + ".pid")).as(worker + " pid file after stop").doesNotExist();
        }
    }

    @Test
    @Order(1)
    void shouldRunOneMicroBatchSubmittedThroughSparkSubmitOnTheClusterJvms() throws Exception {
        JsonNode master = get(webUiPort);
        assertThat(master.path("aliveworkers").asInt()).as("ALIVE workers").isEqualTo(2);
        // The Master and the Workers are JVMs of their own, with Spark's own Java 17 flags.
        List<ProcessHandle> jvms = clusterJvms();
        assertThat(jvms).hasSize(3).allMatch(ProcessHandle::isAlive)
                .noneMatch(h -> h.pid() == ProcessHandle.current().pid());
        for (ProcessHandle jvm : jvms) {
            assertThat(jvm.info().arguments().orElseThrow())
                    .as("the flags of cluster JVM %d", jvm.pid())
                    .contains(JavaModuleOptions.defaultModuleOptions().split(" "));
        }

        ProjectScript.Result submit = submit("submit");
        assertThat(submit.exitCode()).as("SparkSubmit exit code; output:%n%s", submit.output())
                .isEqualTo(ExitCode.SUCCESS.code());
        assertThat(submit.output()).contains("snapshot run: appended 32692 rows (customer 599, payment 16049,"
                + " rental 16044)");
        // The job's task listener: which executors' tasks read, encoded and staged the rows.
        assertThat(placement(submit.output(), "snapshot rows read")).as("snapshot rows read per executor")
                .containsOnlyKeys("0", "1").satisfies(rows -> assertThat(sum(rows)).isEqualTo(32_692));
        assertThat(placement(submit.output(), "rows encoded")).as("rows encoded per executor")
                .containsOnlyKeys("0", "1").satisfies(rows -> assertThat(sum(rows)).isEqualTo(32_692));
        assertThat(sum(placement(submit.output(), "rows staged"))).as("rows staged by executors")
                .isEqualTo(32_692);
        assertThat(placement(submit.output(), "rows staged")).as("rows staged per executor")
                .doesNotContainKey("driver");
        Matcher connected = APP_ID.matcher(submit.output());
        assertThat(connected.find()).as("app id in the driver log:%n%s", submit.output()).isTrue();
        appId = connected.group(1);
        assertThat(submit.output()).as("the executor registered with the driver")
                .containsPattern("Registered executor .* with ID 0");
        assertThat(lastMetric("table.public.customer.rows")).as("customer rows in Spark's metrics").isEqualTo(599);
        assertThat(lastMetric("lastRunRows")).as("the run's rows in Spark's metrics").isEqualTo(32_692);
        assertThat(lastMetric("runs")).isEqualTo(1);
        assertThat(lastMetric("failedRuns")).isZero();

        // The Master knows the application as finished, and its executor ran on the (only) Worker.
        await().atMost(APP_TIMEOUT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            JsonNode state = get(webUiPort);
            assertThat(state.path("activeapps")).as("active applications").isEmpty();
            assertThat(apps(state.path("completedapps"))).as("completed applications")
                    .containsExactly(appId + "=FINISHED");
            List<String> executors = new ArrayList<>();
            for (int port : workerWebUiPorts()) {
                get(port).path("finishedexecutors")
                        .forEach(e -> executors.add(e.path("appid").asText() + "/" + e.path("id").asInt()));
            }
            assertThat(executors).as("executors the Workers ran, one each")
                    .containsExactlyInAnyOrder(appId + "/0", appId + "/1");
        });
        for (String executor : List.of("0", "1")) {
            assertThat(clusterDir.resolve("work/" + appId + "/" + executor + "/stderr"))
                    .as("the log of executor " + executor).content().contains("Successfully registered with driver");
        }
    }

    @Test
    @Order(2)
    void shouldLandThePagilaSnapshotInBronzeExactlyAndDense() throws Exception {
        assertThat(appId).as("the application submitted by the first test").isNotNull();
        assertThat(bronzeCounts()).containsExactlyInAnyOrderEntriesOf(PAGILA_ROWS);
        ValidationReport report;
        try (Connection c = POSTGRES.connect()) {
            report = BronzeValidator.validate(c, BronzeSchema.defaultSchema(), TABLES,
                    ValidationOptions.defaults().withSlot(SLOT).withCompareWithSource(true));
        }
        assertThat(report.violations()).as(report.toText()).isEmpty();
        for (TableId table : TABLES) {
            long rows = PAGILA_ROWS.get(table);
            assertThat(report.table(table.name()).orElseThrow().lsn()).as(table.name())
                    .extracting("min", "max", "distinct").containsExactly(1L, rows, rows);
        }
    }

    /**
     * Submits one micro-batch to the cluster: one executor of one core on each Worker; {@code options} are more
     * spark-submit options (such as {@code --conf k=v}).
     */
    private static ProjectScript.Result submit(String name, String... options) throws Exception {
        Path pipeline = writePipelineYaml();
        List<String> args = new ArrayList<>(List.of("submit", "--dir",
                clusterDir.toString(), "--", "--master", "spark://127.0.0.1:" + masterPort, "--deploy-mode", "client",
                "--driver-memory", "1g", "--executor-memory", "512m", "--conf", "spark.ui.enabled=false",
                // One core per executor and two cores in all: the Master puts one executor on each Worker. The
                // session waits (bounded) until both have registered with the driver, so the run happens with
                // live executors, not just allocated ones.
                "--executor-cores", "1", "--conf", "spark.cores.max=2",
                "--conf", "spark.scheduler.minRegisteredResourcesRatio=1.0",
                "--conf", "spark.scheduler.maxRegisteredResourcesWaitingTime=60s",
                // The run's figures through Spark's metrics system (the job's BronzeMetricsPlugin), to CSV files.
                "--conf", "spark.metrics.conf.driver.sink.csv.class=org.apache.spark.metrics.sink.CsvSink",
                "--conf", "spark.metrics.conf.driver.sink.csv.directory=" + metricsDir(),
                "--conf", "spark.metrics.conf.driver.sink.csv.period=1",
                "--conf", "spark.metrics.conf.driver.sink.csv.unit=seconds"));
        args.addAll(List.of(options));
        args.addAll(List.of("--class", MicroBatchJob.class.getName(), appJar().toString(),
                "--config", pipeline.toString(), "--retries", "0"));
        return script(name, Map.of(PASSWORD_ENV, "trust-auth-ignores-it"), args.toArray(String[]::new));
    }

    @Test
    @Order(3)
    void shouldFinishTheRunExactlyWhenWriteTasksHaltTheirExecutorsAfterCommittingTheirStagedRows() throws Exception {
        assertThat(appId).as("the application submitted by the first test").isNotNull();
        long seed = Long.getLong("bronze.standalone.seed", System.nanoTime());
        System.out.println("StandaloneClusterIT executor halt seed " + seed + " (replay with -Dbronze.standalone.seed="
                + seed + ")");
        Map<TableId, Long> before = bronzeCounts();
        Map<TableId, Long> changes = new LinkedHashMap<>();
        TABLES.forEach(table -> changes.put(table, 0L));
        try (Connection c = POSTGRES.connect()) {
            int transactions = 40 + new SplittableRandom(seed).nextInt(40);
            for (CommittedTransaction tx : new ChangeWorkload(seed, 4).run(c, transactions)) {
                tx.changes().forEach(change -> changes.merge(change.table(), 1L, Long::sum));
            }
        }
        long total = sum(changes);
        // Twice, the write task that has committed its COPY into the stage halts its executor's JVM (exit 137)
        // before it reports: its rows stay in the stage under an attempt the driver never hears of. The first halt
        // kills one executor, its retry kills the other; so the shuffle output of the stream task dies with one of
        // them and Spark reads the slot again on a new executor.
        List<Path> armed = List.of(Files.createFile(configDir.resolve("staged-halt-1")),
                Files.createFile(configDir.resolve("staged-halt-2")));
        ProjectScript.Result submit = submit("submit-executor-halt", "--conf", TaskFault.CONF + "=" + armed.stream()
                .map(file -> TaskFault.Point.STAGED + ":halt:" + file).collect(Collectors.joining(",")));

        assertThat(submit.exitCode()).as("SparkSubmit exit code; output:%n%s", submit.output())
                .isEqualTo(ExitCode.SUCCESS.code());
        assertThat(armed).as("the faults fired").allSatisfy(file -> assertThat(file).doesNotExist());
        Matcher connected = APP_ID.matcher(submit.output());
        assertThat(connected.find()).as("app id in the driver log").isTrue();
        String haltedApp = connected.group(1);
        Set<String> lost = new TreeSet<>();
        for (Matcher m = LOST_EXECUTOR.matcher(submit.output()); m.find(); ) {
            lost.add(m.group(1));
        }
        assertThat(lost).as("executors the driver lost; output:%n%s", submit.output()).hasSize(2);
        String workers = workerLogs();
        for (String executor : lost) {
            assertThat(submit.output()).as("executor %s died by the injected halt", executor)
                    .containsPattern("Executor " + Pattern.quote(haltedApp + "/" + executor) + " removed: .*code 137");
            assertThat(workers).as("a Worker saw the JVM of executor %s exit with status 137", executor)
                    .contains("Executor " + haltedApp + "/" + executor + " finished with state EXITED message Command"
                            + " exited with code 137 exitStatus 137");
        }
        assertThat(submit.output()).contains("stream run: appended " + total + " rows (customer "
                + changes.get(TableId.of("customer")) + ", payment " + changes.get(TableId.of("payment"))
                + ", rental " + changes.get(TableId.of("rental")) + ")");
        assertThat(placement(submit.output(), "rows encoded").keySet())
                .as("the slot read again on an executor started after the halts").isNotEmpty()
                .anySatisfy(executor -> assertThat(lost).doesNotContain(executor))
                .doesNotContain("driver");
        assertThat(sum(placement(submit.output(), "rows encoded"))).as("rows encoded, a re-run stage counted once")
                .isEqualTo(total);
        assertThat(placement(submit.output(), "rows staged")).as("rows staged per executor, by the attempt kept")
                .doesNotContainKey("driver").satisfies(rows -> assertThat(sum(rows)).isEqualTo(total))
                .satisfies(rows -> assertThat(lost).doesNotContainAnyElementsOf(rows.keySet()));

        Map<TableId, Long> expected = new LinkedHashMap<>();
        before.forEach((table, rows) -> expected.put(table, rows + changes.get(table)));
        assertThat(bronzeCounts()).as("bronze rows (seed %d)", seed).containsExactlyInAnyOrderEntriesOf(expected);
        ValidationReport report;
        try (Connection c = POSTGRES.connect()) {
            report = BronzeValidator.validate(c, BronzeSchema.defaultSchema(), TABLES,
                    ValidationOptions.defaults().withSlot(SLOT).withCompareWithSource(true));
            assertThat(single(c, "SELECT count(*) FROM " + BronzeSchema.defaultSchema().quoted("bronze_batch_stage")))
                    .as("staged rows left after the commit, the halted attempts' included").isZero();
        }
        assertThat(report.violations()).as("seed %d: %s", seed, report.toText()).isEmpty();
        for (TableId table : TABLES) {
            long rows = expected.get(table);
            assertThat(report.table(table.name()).orElseThrow().lsn()).as(table.name())
                    .extracting("min", "max", "distinct").containsExactly(1L, rows, rows);
        }
    }

    /** What the Workers logged. */
    private static String workerLogs() throws IOException {
        StringBuilder text = new StringBuilder();
        for (String worker : WORKERS) {
            Path log = clusterDir.resolve("logs/" + worker + ".log");
            if (Files.exists(log)) {
                text.append(Files.readString(log));
            }
        }
        return text.toString();
    }

    private static long single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The rows per executor id the run's summary gives for one kind of work ({@code <work> on executors {0=12,
     * 1=30}}); empty when the summary does not name that work.
     */
    private static Map<String, Long> placement(String output, String work) {
        Matcher m = Pattern.compile(Pattern.quote(work) + " on executors \\{([^}]*)}").matcher(output);
        Map<String, Long> rows = new LinkedHashMap<>();
        if (m.find()) {
            for (String entry : m.group(1).split(", ")) {
                String[] parts = entry.split("=");
                rows.put(parts[0], Long.parseLong(parts[1]));
            }
        }
        return rows;
    }

    private static long sum(Map<?, Long> rows) {
        return rows.values().stream().mapToLong(Long::longValue).sum();
    }

    private static Path metricsDir() throws IOException {
        return Files.createDirectories(configDir.resolve("metrics"));
    }

    /** The last value the driver's CSV sink wrote for {@code name} of the job's metrics plugin. */
    private static long lastMetric(String name) throws IOException {
        String suffix = ".driver.plugin." + BronzeMetricsPlugin.class.getName() + "." + name + ".csv";
        try (var files = Files.list(metricsDir())) {
            Path file = files.filter(f -> f.getFileName().toString().endsWith(suffix)).findFirst()
                    .orElseThrow(() -> new AssertionError("no metrics file *" + suffix + " in " + configDir));
            List<String> lines = Files.readAllLines(file);
            String last = lines.get(lines.size() - 1);
            return Long.parseLong(last.substring(last.indexOf(',') + 1).strip());
        }
    }

    private static Path writePipelineYaml() throws IOException {
        Path file = configDir.resolve("pipeline.yaml");
        Files.writeString(file, TestPipelineYaml.of(POSTGRES.server().port(), POSTGRES.database(),
                SLOT, BronzeSchema.DEFAULT_NAME, "env: " + PASSWORD_ENV));
        return file;
    }

    private static Path appJar() throws IOException {
        return ProjectScript.builtJar(root.resolve("spark-batch/target"), "spark-batch-.*-app\\.jar", "bronze.app.jar");
    }

    /** Runs bin/spark-standalone from the project root; output to {@code <name>.out} in the IT's work directory. */
    private static ProjectScript.Result script(String name, Map<String, String> env, String... args) throws Exception {
        return new ProjectScript(root, "bin/spark-standalone", work, SCRIPT_TIMEOUT).run(name, env, args);
    }

    /** The Master and Worker processes named by the script's pid files. */
    private static List<ProcessHandle> clusterJvms() throws IOException {
        List<ProcessHandle> jvms = new ArrayList<>();
        List<String> names = new ArrayList<>(List.of("master"));
        names.addAll(WORKERS);
        for (String name : names) {
            Path pidFile = clusterDir.resolve(name + ".pid");
            if (Files.exists(pidFile)) {
                ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(jvms::add);
            }
        }
        return jvms;
    }

    /** The Workers' web UI ports, from the Master's view of its workers. */
    private static List<Integer> workerWebUiPorts() throws IOException, InterruptedException {
        JsonNode workers = get(webUiPort).path("workers");
        assertThat(workers).as("workers of the Master").hasSize(2);
        List<Integer> ports = new ArrayList<>();
        workers.forEach(w -> ports.add(URI.create(w.path("webuiaddress").asText()).getPort()));
        return ports;
    }

    /** {@code <id>=<state>} of each application in a Master JSON array. */
    private static List<String> apps(JsonNode array) {
        List<String> apps = new ArrayList<>();
        array.forEach(app -> apps.add(app.path("id").asText() + "=" + app.path("state").asText()));
        return apps;
    }

    /** The JSON state of the Master or Worker web UI on {@code port}. */
    private static JsonNode get(int port) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + port + "/json/");
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", uri, response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static Map<TableId, Long> bronzeCounts() throws SQLException {
        Map<TableId, Long> counts = new LinkedHashMap<>();
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            for (TableId table : TABLES) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM "
                        + BronzeSchema.defaultSchema().tableOf(table))) {
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
