package io.bronzecdc.bench.reliability;

import io.bronzecdc.cli.engine.EngineRunner;
import io.bronzecdc.cli.engine.ProjectLayout;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Spark standalone cluster as a user runs one here: {@code bin/spark-standalone} starts a Master and two Workers,
 * and each micro-batch is the app jar submitted through Spark's submit class (client mode: the driver runs in the
 * submit JVM, the executors in JVMs the Workers start). What the reliability suite needs of it: submit a run, and
 * kill one of the running executors.
 */
final class SparkStandalone implements AutoCloseable {
    private static final String JOB_CLASS = "io.bronzecdc.spark.job.MicroBatchJob";
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(4);

    private final ProjectLayout layout;
    private final Path dir;
    private final int masterPort;
    private int scripts;
    /** Stops the cluster when the suite's JVM ends before {@link #close} (Ctrl-C): its JVMs would outlive it. */
    private final Thread stopOnExit = new Thread(() -> {
        try {
            script(List.of("stop"));
        } catch (Exception e) {
            // the JVM is ending: nothing more can be done
        }
    }, "spark-standalone-stop");

    private SparkStandalone(ProjectLayout layout, Path dir, int masterPort) {
        this.layout = layout;
        this.dir = dir;
        this.masterPort = masterPort;
    }

    /** Starts a Master and two Workers in {@code dir}. */
    static SparkStandalone start(ProjectLayout layout, Path dir) throws Exception {
        Files.createDirectories(dir);
        SparkStandalone cluster = new SparkStandalone(layout, dir, freePort());
        cluster.script(List.of("stop"));
        Runtime.getRuntime().addShutdownHook(cluster.stopOnExit);
        cluster.script(List.of("start", "--port", Integer.toString(cluster.masterPort), "--webui-port",
                Integer.toString(freePort()), "--workers", "2"));
        return cluster;
    }

    /** How one micro-batch of {@code config} is submitted: Spark's submit class through the script. */
    EngineRunner submitter() {
        Path jar = layout.root().resolve("spark-batch/target/spark-batch-" + layout.version() + "-app.jar");
        return new EngineRunner() {
            @Override
            public String name() {
                return "spark-standalone";
            }

            @Override
            public List<String> command(Path config) {
                if (!Files.isRegularFile(jar)) {
                    throw new IllegalStateException("the app jar " + jar + " is missing: build it with mvn -B"
                            + " -DskipTests package -pl spark-batch -am");
                }
                return List.of(layout.root().resolve("bin/spark-standalone").toString(), "submit", "--dir",
                        dir.toString(), "--", "--master", "spark://127.0.0.1:" + masterPort, "--class", JOB_CLASS,
                        jar.toString(), "--config", config.toAbsolutePath().toString());
            }

            @Override
            public Map<String, String> environment() {
                return Map.of();
            }
        };
    }

    /** The executor JVMs the Workers run now. */
    List<ProcessHandle> executors() throws IOException {
        List<ProcessHandle> executors = new ArrayList<>();
        for (int worker = 1; worker <= 2; worker++) {
            Path pidFile = dir.resolve("worker-" + worker + ".pid");
            if (Files.exists(pidFile)) {
                ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).ifPresent(w -> w.descendants()
                        .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                        .forEach(executors::add));
            }
        }
        return executors;
    }

    /** SIGKILL to the first running executor, when there is one; its pid. */
    Optional<Long> killAnExecutor() throws Exception {
        List<ProcessHandle> executors = executors();
        if (executors.isEmpty()) {
            return Optional.empty();
        }
        ProcessHandle victim = executors.get(0);
        victim.destroyForcibly();
        victim.onExit().get(30, TimeUnit.SECONDS);
        return Optional.of(victim.pid());
    }

    @Override
    public void close() throws Exception {
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs, or ran, already
        }
        script(List.of("stop"));
    }

    private void script(List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(layout.root().resolve("bin/spark-standalone").toString()));
        command.add(args.get(0));
        command.addAll(List.of("--dir", dir.toString()));
        command.addAll(args.subList(1, args.size()));
        Path output = dir.resolve("script-" + (++scripts) + "-" + args.get(0) + ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish within " + SCRIPT_TIMEOUT);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + process.exitValue() + ":\n"
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
