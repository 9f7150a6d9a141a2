package io.bronzecdc.model.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs one of the project's scripts ({@code bin/flink-session}, {@code bin/spark-standalone}) from the project root
 * as the cluster ITs do: bounded in time, output to a file per call, the tail in failure messages.
 */
public final class ProjectScript {
    private final Path root;
    private final String script;
    private final Path outputDir;
    private final Duration timeout;

    /**
     * @param root the project root
     * @param script the script, relative to the root (for example {@code bin/flink-session})
     * @param outputDir where each call's output goes, as {@code <name>.out}
     * @param timeout how long one call may take before it is killed and the test fails
     */
    public ProjectScript(Path root, String script, Path outputDir, Duration timeout) throws IOException {
        this.root = root;
        this.script = script;
        this.outputDir = Files.createDirectories(outputDir);
        this.timeout = timeout;
        assertThat(root.resolve(script)).as(script).isExecutable();
    }

    /** What one call printed and returned. */
    public record Result(int exitCode, String output) {
    }

    /** Runs the script with {@code args} and extra environment variables; output to {@code <name>.out}. */
    public Result run(String name, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(root.resolve(script).toString());
        command.addAll(List.of(args));
        Path output = outputDir.resolve(name + ".out");
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("%s %s did not finish within %s; output:%n%s", script, String.join(" ", args), timeout,
                    Files.readString(output));
        }
        return new Result(process.exitValue(), Files.readString(output));
    }

    /**
     * The one jar in {@code target} whose name matches {@code pattern}, or the path in system property
     * {@code property} when set.
     */
    public static Path builtJar(Path target, String pattern, String property) throws IOException {
        String configured = System.getProperty(property, "");
        if (!configured.isBlank()) {
            Path jar = Path.of(configured).toAbsolutePath();
            assertThat(jar).as("-D" + property).isRegularFile();
            return jar;
        }
        try (Stream<Path> files = Files.list(target)) {
            List<Path> jars = files.filter(p -> p.getFileName().toString().matches(pattern)).toList();
            assertThat(jars).as("the jar %s in %s (run mvn package first, or pass -D%s)", pattern, target, property)
                    .hasSize(1);
            return jars.get(0);
        }
    }
}
