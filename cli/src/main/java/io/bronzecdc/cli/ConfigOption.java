package io.bronzecdc.cli;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.PipelineConfigLoader;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --config FILE} option every pipeline subcommand takes: the same YAML file the Flink job and the Spark job
 * read (the README documents each key; secrets come from the environment or a file, never from the YAML itself).
 */
public final class ConfigOption {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The pipeline YAML file (see pipeline.example.yaml).")
    private Path file;

    /** The config file as given. */
    public Path file() {
        return file;
    }

    /**
     * Loads and checks the file.
     *
     * @throws io.bronzecdc.model.config.ConfigException naming every bad key and its fix (exit code 2)
     */
    public PipelineConfig load() {
        return PipelineConfigLoader.load(file);
    }
}
