package io.bronzecdc.cli;

import io.bronzecdc.cli.engine.FlinkEngine;
import io.bronzecdc.cli.engine.ForegroundProcess;
import io.bronzecdc.model.config.PipelineConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bronze-cdc stream}: the Flink job against the configured database, in a Flink of its own JVM (no cluster),
 * with its checkpoints in a local folder. Ctrl-C stops it; the next {@code stream} resumes from the newest completed
 * checkpoint, exactly. The production path stays {@code flink run} with the job jar.
 */
@Command(name = "stream", mixinStandardHelpOptions = true,
        description = {"Streams the configured database's changes into bronze with the Flink job, in-process"
                + " (no cluster needed), until Ctrl-C. The next stream resumes exactly where this one stopped.",
                "Run init first. On a cluster: flink run -c io.bronzecdc.flink.BronzeCdcJob"
                        + " flink-pipeline/target/flink-pipeline-<version>-job.jar --config pipeline.yaml"})
final class StreamCommand implements Callable<Integer> {
    /** Where the checkpoints go by default: beside the config file, one folder per slot. */
    static final String STATE_FOLDER = ".bronze-cdc";

    @Mixin
    private ConfigOption config;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Folder of the job's checkpoints (default:"
            + " .bronze-cdc/<slot name>/flink beside the config file). Keep it: it is where the next stream resumes.")
    private Path stateDir;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PipelineConfig pipeline = config.load();
        Path state = stateDir != null ? stateDir : defaultStateDir(config.file(), pipeline);
        FlinkEngine flink = Engines.flink();
        PrintWriter err = spec.commandLine().getErr();
        err.println("bronze-cdc stream: the Flink job for slot " + pipeline.source().slotName() + " -> schema "
                + pipeline.bronze().schema() + ", checkpoints in " + state.toAbsolutePath().normalize()
                + ". Ctrl-C stops it; the next stream resumes from there.");
        err.flush();
        return ForegroundProcess.run(flink.name(), flink.streamCommand(config.file(), state), flink.environment());
    }

    static Path defaultStateDir(Path configFile, PipelineConfig pipeline) {
        Path dir = configFile.toAbsolutePath().getParent();
        return dir.resolve(STATE_FOLDER).resolve(pipeline.source().slotName()).resolve("flink");
    }
}
