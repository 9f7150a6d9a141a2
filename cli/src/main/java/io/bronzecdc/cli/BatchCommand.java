package io.bronzecdc.cli;

import io.bronzecdc.cli.engine.ForegroundProcess;
import io.bronzecdc.cli.engine.SparkEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bronze-cdc batch}: one Spark micro-batch in local mode (or one every interval), in a JVM of its own with
 * Spark's classpath and Java 17 flags. The production path stays {@code spark-submit} with the app jar.
 */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = {"Runs one Spark micro-batch (local mode): the first takes the snapshot, each later one appends"
                + " what was committed since. With --every, one per interval until Ctrl-C.",
                "Run init first. On a cluster: spark-submit --class io.bronzecdc.spark.job.MicroBatchJob"
                        + " spark-batch/target/spark-batch-<version>-app.jar --config pipeline.yaml"})
final class BatchCommand implements Callable<Integer> {
    @Mixin
    private ConfigOption config;

    @Option(names = "--every", arity = "0..1", fallbackValue = "", paramLabel = "INTERVAL",
            description = "Run a micro-batch every INTERVAL (a whole number and ms, s, m or h; default 5m) until"
                    + " Ctrl-C.")
    private String every;

    @Option(names = "--retries", paramLabel = "N", description = "Retries of a failed run (the job's default: 2).")
    private Integer retries;

    @Override
    public Integer call() throws Exception {
        config.load();
        SparkEngine spark = Engines.spark();
        List<String> options = new ArrayList<>();
        if (every != null) {
            options.add("--every");
            if (!every.isEmpty()) {
                options.add(every);
            }
        }
        if (retries != null) {
            options.addAll(List.of("--retries", retries.toString()));
        }
        return ForegroundProcess.run(spark.name(), spark.batchCommand(config.file(), options), spark.environment());
    }
}
