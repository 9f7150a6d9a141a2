package io.bronzecdc.bench.harness;

import io.bronzecdc.bench.peer.DebeziumPeer;
import io.bronzecdc.bench.peer.FlinkCdcPeer;
import io.bronzecdc.bench.report.BenchReport.Pipeline;
import io.bronzecdc.cli.engine.EngineProcess;
import io.bronzecdc.cli.engine.EngineRunner;
import io.bronzecdc.cli.engine.FlinkEngine;
import io.bronzecdc.cli.engine.ProjectLayout;
import io.bronzecdc.cli.engine.SparkEngine;
import io.bronzecdc.model.config.SourceConnector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Starts one pipeline of the harness in JVMs of its own, as its users start it: the Flink job as {@code bronze-cdc
 * stream} runs it (checkpoints in a local state directory, so a restart resumes), the Spark job one micro-batch per
 * process or {@code --every} a schedule, and each peer as its own main (its state beside the config,
 * {@code io.bronzecdc.bench.peer}).
 */
public final class PipelineLauncher {
    private final String pipeline;
    private final BiFunction<Path, Path, EngineRunner> streaming;
    private final SparkEngine spark;

    private PipelineLauncher(String pipeline, BiFunction<Path, Path, EngineRunner> streaming, SparkEngine spark) {
        this.pipeline = pipeline;
        this.streaming = streaming;
        this.spark = spark;
    }

    /**
     * The launcher of {@code pipeline}, from the build output in {@code layout}.
     *
     * @throws IllegalStateException naming the build to run when the pipeline's module is not built
     */
    public static PipelineLauncher of(String pipeline, ProjectLayout layout) {
        return switch (pipeline) {
            // Our Flink job, the same command for both sources: the config's source.connector chooses.
            case Pipeline.FLINK, Pipeline.FLINK_CDC_SOURCE -> {
                FlinkEngine flink = FlinkEngine.of(layout);
                yield new PipelineLauncher(pipeline, (config, state) -> runner(pipeline,
                        flink.streamCommand(config, state), Map.of()), null);
            }
            case Pipeline.SPARK -> new PipelineLauncher(pipeline, null, SparkEngine.of(layout));
            case Pipeline.FLINK_CDC -> {
                EngineRunner peer = FlinkCdcPeer.of(layout);
                yield new PipelineLauncher(pipeline, (config, state) -> peer, null);
            }
            case Pipeline.DEBEZIUM -> {
                EngineRunner peer = DebeziumPeer.of(layout);
                yield new PipelineLauncher(pipeline, (config, state) -> peer, null);
            }
            default -> throw new IllegalArgumentException("unknown pipeline " + pipeline);
        };
    }

    private static EngineRunner runner(String name, List<String> command, Map<String, String> environment) {
        return new EngineRunner() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<String> command(Path pipelineConfig) {
                return command;
            }

            @Override
            public Map<String, String> environment() {
                return environment;
            }
        };
    }

    public String pipeline() {
        return pipeline;
    }

    /**
     * The {@code source.connector} the pipeline's YAML names: {@code flink-cdc} for {@code flink-cdc-source}, none
     * (the default, our pgoutput source) for every other pipeline.
     */
    public Optional<SourceConnector> sourceConnector() {
        return sourceConnectorOf(pipeline);
    }

    /** The {@code source.connector} of {@code pipeline}'s YAML, as {@link #sourceConnector()}. */
    static Optional<SourceConnector> sourceConnectorOf(String pipeline) {
        return Pipeline.FLINK_CDC_SOURCE.equals(pipeline) ? Optional.of(SourceConnector.FLINK_CDC)
                : Optional.empty();
    }

    /** Whether the pipeline streams in one long-running process (everything but Spark). */
    public boolean streams() {
        return spark == null;
    }

    /** Starts the streaming pipeline on {@code config}; its state (checkpoints, offsets) in {@code state}. */
    public EngineProcess stream(Path config, Path state, Path output) throws IOException {
        if (spark != null) {
            throw new IllegalStateException("the spark pipeline runs in micro-batches: use once() or every()");
        }
        return streaming.apply(config, state).start(config, output);
    }

    /** Starts one Spark micro-batch; it exits when the batch is committed. */
    public EngineProcess once(Path config, Path output) throws IOException {
        return spark.start(config, output);
    }

    /** Starts the Spark job with a micro-batch every {@code batch.interval} of the config, until stopped. */
    public EngineProcess every(Path config, Path output) throws IOException {
        return runner(pipeline, spark.batchCommand(config, List.of("--retries", "0", "--every")),
                spark.environment()).start(config, output);
    }
}
