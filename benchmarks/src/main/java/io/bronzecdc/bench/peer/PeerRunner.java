package io.bronzecdc.bench.peer;

import io.bronzecdc.cli.engine.EngineRunner;
import io.bronzecdc.cli.engine.ModuleBuild;
import java.nio.file.Path;
import java.util.List;

/**
 * A benchmark peer in a JVM of its own, from its module's build output: {@code java -cp <jar, runtime and provided
 * classpath> <main> --config <yaml> --work <config>.<name>-work}. It streams until the process is stopped.
 */
public abstract class PeerRunner implements EngineRunner {
    private final ModuleBuild build;
    private final String mainClass;

    PeerRunner(ModuleBuild build, String mainClass) {
        this.build = build;
        this.mainClass = mainClass;
    }

    @Override
    public List<String> command(Path pipelineConfig) {
        Path config = pipelineConfig.toAbsolutePath();
        return List.of(EngineRunner.javaExecutable(), EngineRunner.parentWatch(), "-cp", build.classpath(), mainClass,
                "--config", config.toString(), "--work", workDirectory(config).toString());
    }

    /** The peer's state folder for {@code pipelineConfig}: {@code <config file name>.<name>-work} beside it. */
    public Path workDirectory(Path pipelineConfig) {
        Path config = pipelineConfig.toAbsolutePath();
        return config.resolveSibling(config.getFileName() + "." + name() + "-work");
    }
}
