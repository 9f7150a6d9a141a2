package io.bronzecdc.cli.engine;

import io.bronzecdc.model.ParentWatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Starts one engine as a JVM of its own, from its module's build output: Flink and Spark classpaths conflict
 * (DESIGN.md sections 4 and 7), so the harness never loads either engine itself.
 *
 * <p>What a process run means depends on the engine: the Flink job streams until its process is stopped; a
 * Spark process runs one micro-batch and exits with the job's exit code.
 */
public interface EngineRunner {
    /** Short name of the engine ({@code flink}, {@code spark}), used in file names and messages. */
    String name();

    /** The full command line, the {@code java} executable first, that runs the engine on a pipeline config. */
    List<String> command(Path pipelineConfig);

    /** Environment variables the engine's JVM needs on top of the ones it inherits. */
    default Map<String, String> environment() {
        return Map.of();
    }

    /**
     * Starts the engine on {@code pipelineConfig}.
     *
     * @param output the file that receives the process's stdout and stderr (replaced if present)
     */
    default EngineProcess start(Path pipelineConfig, Path output) throws IOException {
        return EngineProcess.start(name(), command(pipelineConfig), environment(), output);
    }

    /**
     * The flag that ends an engine JVM together with this one ({@code io.bronzecdc.model.ParentWatch}): an engine the
     * command started never outlives it, even when the command is killed with SIGKILL.
     */
    static String parentWatch() {
        return "-D" + ParentWatch.PROPERTY + "=" + ProcessHandle.current().pid();
    }

    /** The {@code java} executable of the running JVM, so every engine runs on the same Java as the harness. */
    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
