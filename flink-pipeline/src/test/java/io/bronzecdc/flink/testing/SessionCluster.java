package io.bronzecdc.flink.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bronzecdc.model.testing.ProjectScript;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Flink session cluster for ITs, driven through {@code bin/flink-session} (start, run, taskmanager, stop) and
 * its REST API. Script output goes to {@code <work>/<name>.out}, the cluster lives in {@code <work>/cluster}.
 */
public final class SessionCluster {
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(4);
    private static final Pattern SUBMITTED = Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final ProjectScript script;
    private final Path work;
    private final Path dir;
    private final int restPort;
    private final int metricsPort;
    private int jobManagerMetricsPort;

    private SessionCluster(Path root, Path work, int restPort, int metricsPort) throws IOException {
        this.script = new ProjectScript(root, "bin/flink-session", work, SCRIPT_TIMEOUT);
        this.work = work;
        this.dir = work.resolve("cluster");
        this.restPort = restPort;
        this.metricsPort = metricsPort;
    }

    /**
     * A cluster in {@code work/cluster}, not started yet: a leftover of an earlier run there is stopped and the logs
     * and script outputs of earlier runs are removed, so that every file there belongs to this run.
     */
    public static SessionCluster in(Path root, Path work) throws Exception {
        SessionCluster cluster = new SessionCluster(root, work, freeLoopbackPort(), freeLoopbackPort());
        assertThat(cluster.script("stop-leftover", Map.of(), "stop").exitCode()).isZero();
        try (Stream<Path> logs = Files.exists(cluster.logDirectory()) ? Files.list(cluster.logDirectory())
                : Stream.empty(); Stream<Path> outputs = Files.list(work)) {
            for (Path old : Stream.concat(logs, outputs.filter(p -> p.toString().endsWith(".out"))
                    .filter(p -> !p.getFileName().toString().equals("stop-leftover.out"))).toList()) {
                Files.delete(old);
            }
        }
        return cluster;
    }

    /** {@code bin/flink-session start}: JobManager and TaskManager JVMs. */
    public void start() throws Exception {
        ProjectScript.Result start = script("start", Map.of(), "start", "--port", String.valueOf(restPort),
                "--metrics-port", String.valueOf(metricsPort));
        assertThat(start.exitCode()).as("bin/flink-session start exit code; output:%n%s", start.output()).isZero();
        assertThat(start.output()).contains("web UI http://127.0.0.1:" + restPort)
                .contains("Prometheus metrics: http://127.0.0.1:" + metricsPort + "/metrics (TaskManager");
        Matcher jobManager = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/metrics \\(JobManager\\)")
                .matcher(start.output());
        assertThat(jobManager.find()).as("the JobManager's metrics URL in:%n%s", start.output()).isTrue();
        jobManagerMetricsPort = Integer.parseInt(jobManager.group(1));
    }

    /** {@code bin/flink-session stop}; afterwards no cluster JVM is alive. */
    public void stop() throws Exception {
        List<ProcessHandle> jvms = jvms();
        ProjectScript.Result stop = script("stop", Map.of(), "stop");
        assertThat(stop.exitCode()).as("bin/flink-session stop exit code; output:%n%s", stop.output()).isZero();
        assertThat(jvms).as("cluster JVMs still alive after stop").noneMatch(ProcessHandle::isAlive);
    }

    /** {@code bin/flink-session <args> --dir <cluster>}, output to {@code <name>.out}. */
    public ProjectScript.Result script(String name, Map<String, String> env, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        int cliArgs = all.indexOf("--");
        all.add(cliArgs < 0 ? all.size() : cliArgs, "--dir");
        all.add(cliArgs < 0 ? all.size() : cliArgs + 1, dir.toString());
        return script.run(name, env, all.toArray(String[]::new));
    }

    /** {@code bin/flink-session run -- <flinkArgs>}, expecting "Job has been submitted"; returns the job id. */
    public String submit(String name, Map<String, String> env, String... flinkArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--"));
        args.addAll(List.of(flinkArgs));
        ProjectScript.Result submit = script(name, env, args.toArray(String[]::new));
        assertThat(submit.exitCode()).as("flink run exit code; output:%n%s", submit.output()).isZero();
        Matcher submitted = SUBMITTED.matcher(submit.output());
        assertThat(submitted.find()).as("job id in the flink run output:%n%s", submit.output()).isTrue();
        return submitted.group(1);
    }

    /** Waits until the job and each of its vertices are RUNNING. */
    public void awaitRunning(String jobId, Duration timeout) {
        await("job " + jobId + " running").atMost(timeout).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            JsonNode job = get("/jobs/" + jobId);
            assertThat(job.path("state").asText()).as("job state").isEqualTo("RUNNING");
            List<String> vertices = new ArrayList<>();
            job.path("vertices").forEach(v -> vertices.add(v.path("name").asText() + "=" + v.path("status").asText()));
            assertThat(vertices).as("job vertices").isNotEmpty().allMatch(v -> v.endsWith("=RUNNING"));
        });
    }

    /** Cancels the job through REST and waits until it is CANCELED. */
    public void cancel(String jobId, Duration timeout) throws Exception {
        HttpResponse<String> cancel = HTTP.send(HttpRequest.newBuilder(rest("/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(cancel.statusCode()).as("PATCH /jobs/%s?mode=cancel: %s", jobId, cancel.body()).isEqualTo(202);
        await("job " + jobId + " cancelled").atMost(timeout).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(jobState(jobId)).contains("CANCELED"));
    }

    /** The job's state from {@code /jobs/overview}, empty when the cluster does not know the job. */
    public Optional<String> jobState(String jobId) throws IOException, InterruptedException {
        for (JsonNode job : get("/jobs/overview").path("jobs")) {
            if (job.path("jid").asText().equals(jobId)) {
                return Optional.of(job.path("state").asText());
            }
        }
        return Optional.empty();
    }

    /** Completed checkpoints of the job so far. */
    public long completedCheckpoints(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
    }

    /** The job's checkpoint directories on disk that hold their {@code _metadata}, oldest first. */
    public List<Path> retainedCheckpoints(String jobId) throws IOException {
        Path job = dir.resolve("checkpoints").resolve(jobId);
        if (!Files.isDirectory(job)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(job)) {
            return children.filter(p -> p.getFileName().toString().matches("chk-\\d+"))
                    .filter(p -> Files.isRegularFile(p.resolve("_metadata")))
                    .sorted(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(4))))
                    .toList();
        }
    }

    /**
     * Failures the job went through: the entries of its exception history, and every subtask attempt beyond the
     * first (each failed attempt is followed by another).
     */
    public List<String> failedAttempts(String jobId) throws IOException, InterruptedException {
        List<String> failures = new ArrayList<>();
        get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries")
                .forEach(e -> failures.add(e.path("exceptionName").asText() + ": " + firstLine(
                        e.path("stacktrace").asText())));
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            for (JsonNode subtask : get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText())
                    .path("subtasks")) {
                if (subtask.path("attempt").asInt() > 0) {
                    failures.add(vertex.path("name").asText() + " subtask " + subtask.path("subtask").asInt()
                            + " is on attempt " + subtask.path("attempt").asInt());
                }
            }
        }
        return failures;
    }

    /** The JobManager or TaskManager process named by the script's pid file, when alive. */
    public Optional<ProcessHandle> jvm(String name) throws IOException {
        Path pidFile = dir.resolve(name + ".pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).filter(ProcessHandle::isAlive);
    }

    /** The JobManager and TaskManager processes alive now. */
    public List<ProcessHandle> jvms() throws IOException {
        List<ProcessHandle> jvms = new ArrayList<>();
        jvm("jobmanager").ifPresent(jvms::add);
        jvm("taskmanager").ifPresent(jvms::add);
        return jvms;
    }

    /** The cluster's log directory (every JVM's log and stdout, the CLI frontend's log). */
    public Path logDirectory() {
        return dir.resolve("log");
    }

    /** Where the scripts' output files are. */
    public Path workDirectory() {
        return work;
    }

    /** The body of {@code GET path} as JSON; the status must be 200. */
    public JsonNode get(String path) throws IOException, InterruptedException {
        return JSON.readTree(getText(path));
    }

    /** The body of {@code GET path} as text; the status must be 200. */
    public String getText(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(rest(path)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        return response.body();
    }

    /** The TaskManager's Prometheus page ({@code GET http://127.0.0.1:<metrics port>/metrics}); status 200. */
    public String taskManagerMetrics() throws IOException, InterruptedException {
        return prometheusPage(metricsPort);
    }

    /** The JobManager's Prometheus page; status 200. */
    public String jobManagerMetrics() throws IOException, InterruptedException {
        return prometheusPage(jobManagerMetricsPort);
    }

    private static String prometheusPage(int port) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + port + "/metrics");
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", uri).isEqualTo(200);
        return response.body();
    }

    private URI rest(String path) {
        return URI.create("http://127.0.0.1:" + restPort + path);
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
