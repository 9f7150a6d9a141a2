package io.bronzecdc.cli.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Flink streaming job in a local MiniCluster of its own JVM: {@code java -cp <flink-pipeline jar, runtime and
 * provided classpath> io.bronzecdc.flink.BronzeCdcJob --config <yaml> --init}. It streams until the process is
 * stopped. No JVM flags: the MiniCluster needs none on Java 17 (DESIGN.md section 7).
 */
public final class FlinkEngine implements EngineRunner {
    /** The module that holds the job. */
    public static final String MODULE = "flink-pipeline";
    /** The job's main class. */
    public static final String MAIN_CLASS = "io.bronzecdc.flink.BronzeCdcJob";
    /** The Flink side of {@code bronze-cdc demo}: embedded server, Pagila, workload and the job in one JVM. */
    public static final String DEMO_CLASS = "io.bronzecdc.flink.cli.BronzeCdcCommand";

    private final ModuleBuild build;

    public FlinkEngine(ModuleBuild build) {
        this.build = build;
    }

    /** The engine built in {@code layout}; throws naming the build to run when it is not built. */
    public static FlinkEngine of(ProjectLayout layout) {
        return new FlinkEngine(layout.build(MODULE));
    }

    @Override
    public String name() {
        return "flink";
    }

    /** Runs the job with {@code --init}: it sets REPLICA IDENTITY FULL and creates its publication when missing. */
    @Override
    public List<String> command(Path pipelineConfig) {
        return List.of(EngineRunner.javaExecutable(), "-cp", build.classpath(), MAIN_CLASS,
                "--config", pipelineConfig.toAbsolutePath().toString(), "--init");
    }

    /**
     * The job as {@code bronze-cdc stream} runs it: in-process, checkpoints in {@code stateDirectory} (resumed from
     * the newest completed one), the job's own log at INFO (configuration once, secrets masked; progress).
     */
    public List<String> streamCommand(Path pipelineConfig, Path stateDirectory) {
        return List.of(EngineRunner.javaExecutable(), "-Dbronze.log.level=INFO", EngineRunner.parentWatch(), "-cp",
                build.classpath(), MAIN_CLASS,
                "--config", pipelineConfig.toAbsolutePath().toString(), "--local-state",
                stateDirectory.toAbsolutePath().toString());
    }

    /** The demo with {@code arguments} (its own options, {@code --help} included). */
    public List<String> demoCommand(List<String> arguments, Path home) {
        List<String> command = new ArrayList<>(List.of(EngineRunner.javaExecutable(), "-Dbronze.home=" + home,
                EngineRunner.parentWatch(), "-cp", build.classpath(), DEMO_CLASS, "demo"));
        command.addAll(arguments);
        return command;
    }
}
