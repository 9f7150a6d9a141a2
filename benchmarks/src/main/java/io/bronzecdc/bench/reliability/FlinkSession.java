package io.bronzecdc.bench.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bronzecdc.cli.engine.ProjectLayout;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Flink session cluster as a user runs one here: {@code bin/flink-session} starts the JobManager and TaskManager
 * JVMs and submits the job jar with Flink's own CLI; the job is watched through the REST API. What the reliability
 * suite needs of it: kill either JVM, start the TaskManager again, stop the job with a savepoint, resubmit from a
 * savepoint or the latest retained checkpoint.
 */
final class FlinkSession implements AutoCloseable {
    private static final String JOB_CLASS = "io.bronzecdc.flink.BronzeCdcJob";
    private static final Pattern SUBMITTED = Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(4);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final ProjectLayout layout;
    private final Path dir;
    private final int restPort;
    private final int metricsPort;
    private int scripts;
    /** Stops the cluster's JVMs when the suite's JVM ends before {@link #close} (Ctrl-C): they would outlive it. */
    private final Thread stopOnExit = new Thread(() -> {
        try {
            stopJvms();
        } catch (Exception e) {
            // the JVM is ending: nothing more can be done
        }
    }, "flink-session-stop");

    private FlinkSession(ProjectLayout layout, Path dir) throws IOException {
        this.layout = layout;
        this.dir = dir;
        this.restPort = freePort();
        this.metricsPort = freePort();
    }

    /** Starts a cluster in {@code dir} (its config, logs, checkpoints and savepoints go there). */
    static FlinkSession start(ProjectLayout layout, Path dir) throws Exception {
        FlinkSession session = new FlinkSession(layout, dir);
        Files.createDirectories(dir);
        session.script("stop");
        Runtime.getRuntime().addShutdownHook(session.stopOnExit);
        session.startJvms();
        return session;
    }

    void startJvms() throws Exception {
        script("start", "--port", Integer.toString(restPort), "--metrics-port", Integer.toString(metricsPort));
    }

    /** Submits the job with {@code flink run -d}, from {@code restoreFrom} when given; returns the job id. */
    String submit(Path config, int parallelism, Optional<Path> restoreFrom) throws Exception {
        Path jar = layout.root().resolve("flink-pipeline/target/flink-pipeline-" + layout.version() + "-job.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the job jar " + jar + " is missing: build it with mvn -B -DskipTests"
                    + " package -pl flink-pipeline -am");
        }
        List<String> args = new ArrayList<>(List.of("run", "--", "run", "-d", "-p", Integer.toString(parallelism)));
        restoreFrom.ifPresent(path -> args.addAll(List.of("-s", path.toString())));
        args.addAll(List.of("-c", JOB_CLASS, jar.toString(), "--config", config.toAbsolutePath().toString()));
        String output = script(args.toArray(String[]::new));
        Matcher submitted = SUBMITTED.matcher(output);
        if (!submitted.find()) {
            throw new IllegalStateException("no job id in the output of flink run:\n" + output);
        }
        return submitted.group(1);
    }

    /** The job's state, or "UNKNOWN" while the cluster does not answer or know it. */
    String state(String jobId) {
        try {
            return get("/jobs/" + jobId).path("state").asText("UNKNOWN");
        } catch (IOException | IllegalStateException e) {
            return "UNKNOWN";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "UNKNOWN";
        }
    }

    /** Whether the job and every one of its vertices run. */
    boolean running(String jobId) {
        try {
            JsonNode job = get("/jobs/" + jobId);
            if (!"RUNNING".equals(job.path("state").asText())) {
                return false;
            }
            for (JsonNode vertex : job.path("vertices")) {
                if (!"RUNNING".equals(vertex.path("status").asText())) {
                    return false;
                }
            }
            return job.path("vertices").size() > 0;
        } catch (IOException | IllegalStateException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Completed checkpoints of the job; -1 while the cluster does not answer. */
    long completedCheckpoints(String jobId) {
        try {
            return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
        } catch (IOException | IllegalStateException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The newest checkpoint of the job on disk that holds its {@code _metadata}: where a resubmission resumes. */
    Optional<Path> latestRetainedCheckpoint(String jobId) throws IOException {
        Path job = dir.resolve("checkpoints").resolve(jobId);
        if (!Files.isDirectory(job)) {
            return Optional.empty();
        }
        try (Stream<Path> children = Files.list(job)) {
            return children.filter(p -> p.getFileName().toString().matches("chk-\\d+"))
                    .filter(p -> Files.isRegularFile(p.resolve("_metadata")))
                    .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(4))));
        }
    }

    /** Stops the job with a savepoint ({@code POST /jobs/:id/stop}) and returns the savepoint's path. */
    Path stopWithSavepoint(String jobId, Duration timeout) throws Exception {
        HttpResponse<String> stop = HTTP.send(HttpRequest.newBuilder(rest("/jobs/" + jobId + "/stop"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"drain\": false}")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (stop.statusCode() != 202) {
            throw new IllegalStateException("POST /jobs/" + jobId + "/stop answered " + stop.statusCode() + ": "
                    + stop.body());
        }
        String trigger = JSON.readTree(stop.body()).path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode operation = status.path("operation");
                if (operation.has("failure-cause")) {
                    throw new IllegalStateException("the savepoint of job " + jobId + " failed: "
                            + operation.path("failure-cause").path("stack-trace").asText().lines().findFirst()
                            .orElse(""));
                }
                return Path.of(URI.create(operation.path("location").asText()));
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("the savepoint of job " + jobId + " did not complete within " + timeout);
    }

    /** Cancels the job; nothing when it is not running. */
    void cancel(String jobId) throws Exception {
        HTTP.send(HttpRequest.newBuilder(rest("/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The JobManager's or the TaskManager's JVM, by the script's pid file, when alive. */
    Optional<ProcessHandle> jvm(String name) throws IOException {
        Path pidFile = dir.resolve(name + ".pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).filter(ProcessHandle::isAlive);
    }

    /** SIGKILL to the named JVM ({@code jobmanager} or {@code taskmanager}); waits until it is gone. */
    long kill(String name) throws Exception {
        ProcessHandle jvm = jvm(name).orElseThrow(() -> new IllegalStateException("no " + name + " JVM is running"));
        jvm.destroyForcibly();
        jvm.onExit().get(30, TimeUnit.SECONDS);
        return jvm.pid();
    }

    /** {@code bin/flink-session taskmanager start}: a TaskManager again, after one was killed. */
    void startTaskManager() throws Exception {
        script("taskmanager", "start");
    }

    /** {@code bin/flink-session stop}: both JVMs (idempotent). */
    void stopJvms() throws Exception {
        script("stop");
    }

    /** The tail of the cluster's JVM logs, for a failure message. */
    String logTail(int lines) {
        StringBuilder tail = new StringBuilder();
        for (String name : List.of("jobmanager", "taskmanager")) {
            Path log = dir.resolve("log").resolve(name + ".log");
            if (Files.exists(log)) {
                try {
                    List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
                    tail.append("--- ").append(log).append('\n').append(String.join("\n", all.subList(Math.max(0,
                            all.size() - lines), all.size()))).append('\n');
                } catch (IOException e) {
                    tail.append("--- ").append(log).append(": ").append(e.getMessage()).append('\n');
                }
            }
        }
        return tail.toString();
    }

    @Override
    public void close() throws Exception {
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs, or ran, already
        }
        stopJvms();
    }

    private String script(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(layout.root().resolve("bin/flink-session").toString()));
        List<String> all = new ArrayList<>(List.of(args));
        int cliArgs = all.indexOf("--");
        all.add(cliArgs < 0 ? all.size() : cliArgs, "--dir");
        all.add(cliArgs < 0 ? all.size() : cliArgs + 1, dir.toString());
        command.addAll(all);
        Path output = dir.resolve("script-" + (++scripts) + "-" + args[0] + ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish within " + SCRIPT_TIMEOUT);
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + process.exitValue() + ":\n"
                    + text);
        }
        return text;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(rest(path)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + response.statusCode());
        }
        return JSON.readTree(response.body());
    }

    private URI rest(String path) {
        return URI.create("http://127.0.0.1:" + restPort + path);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
