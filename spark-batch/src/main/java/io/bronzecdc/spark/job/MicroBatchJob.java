package io.bronzecdc.spark.job;

import io.bronzecdc.model.ExitCode;
import io.bronzecdc.model.ParentWatch;
import io.bronzecdc.model.config.ConfigException;
import io.bronzecdc.model.config.DurationSyntax;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.PipelineConfigLoader;
import io.bronzecdc.model.postgres.SourceConnectionException;
import io.bronzecdc.spark.metrics.BronzeMetricsPlugin;
import io.bronzecdc.spark.metrics.RunMetrics;
import io.bronzecdc.spark.preflight.PreflightException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spark-submit --class io.bronzecdc.spark.job.MicroBatchJob spark-batch-<version>-app.jar --config
 * pipeline.yaml [--every [5m]] [--checkpoint <dir>] [--verbose]}: the pipeline as a Structured Streaming query
 * ({@link MicroBatchRun#runQuery}): by default with {@code Trigger.AvailableNow} (what was committed when the run
 * started, in one scheduled run, then exit with an {@link ExitCode}); with {@code --every}, a micro-batch every
 * interval (default: the config's {@code batch.interval}) until the process is stopped. The first run takes the
 * snapshot. Reading, encoding, sequencing and writing run as tasks on the executors.
 *
 * <p>The job never sets the Spark master: {@code spark-submit} does.
 */
@Command(name = "micro-batch", mixinStandardHelpOptions = true,
        description = "Appends the changes committed since the last run to the bronze change-log tables.")
public final class MicroBatchJob implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(MicroBatchJob.class);
    /** Spark's list of plugin classes; the job adds {@link BronzeMetricsPlugin} to it. */
    static final String PLUGINS = "spark.plugins";

    @Option(names = "--config", required = true, paramLabel = "<pipeline.yaml>",
            description = "The pipeline's YAML config file.")
    Path configFile;

    @Option(names = "--every", arity = "0..1", fallbackValue = "", paramLabel = "<interval>",
            description = "Run repeatedly, one run every interval (such as 5m); without a value, batch.interval of"
                    + " the config. Runs never overlap.")
    String every;

    @Option(names = "--checkpoint", paramLabel = "<dir>",
            description = "The query's checkpoint location (any path Spark can write, such as hdfs:// or a local"
                    + " directory); default: a temporary directory removed at exit. Bronze holds the pipeline's"
                    + " position, so the checkpoint only spares a restarted query from reading changes again.")
    String checkpoint;

    @Option(names = "--retries", defaultValue = "2",
            description = "Retries when the source cannot be reached (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--retry-delay", defaultValue = "2m", paramLabel = "<duration>",
            description = "Wait before each retry (default: ${DEFAULT-VALUE}).")
    String retryDelay;

    @Option(names = "--chunk-size", defaultValue = "10000",
            description = "Bronze rows per JDBC batch (default: ${DEFAULT-VALUE}).")
    int chunkSize;

    @Option(names = "--verbose", description = "Print the stack trace of an error too.")
    boolean verbose;

    private final Function<String, String> environment;
    private final RunHooks hooks;
    private final PrintStream out;
    private final PrintStream err;

    MicroBatchJob(Function<String, String> environment, RunHooks hooks, PrintStream out, PrintStream err) {
        this.environment = environment;
        this.hooks = hooks;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        ParentWatch.startIfRequested(ExitCode.FAILED.code());
        int code = execute(args, System::getenv, RunHooks.NONE);
        SparkSession.getActiveSession().foreach(session -> {
            session.stop();
            return null;
        });
        System.exit(code);
    }

    /**
     * Parses {@code args} and runs; returns the exit code instead of exiting, for tests and embedding.
     *
     * @param environment where the password variable named by the config is looked up
     */
    public static int execute(String[] args, Function<String, String> environment, RunHooks hooks) {
        return execute(args, environment, hooks, System.out, System.err);
    }

    /**
     * Parses {@code args} and runs, writing the run's summary to {@code out} and problems to {@code err}; returns
     * the exit code instead of exiting.
     */
    public static int execute(String[] args, Function<String, String> environment, RunHooks hooks, PrintStream out,
            PrintStream err) {
        CommandLine commandLine = new CommandLine(new MicroBatchJob(environment, hooks, out, err));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
            LOG.error("Micro-batch failed", e);
            cl.getErr().println("Micro-batch failed: " + e);
            return ExitCode.FAILED.code();
        });
        commandLine.setExitCodeExceptionMapper(e -> ExitCode.NOT_READY.code());
        commandLine.setParameterExceptionHandler((e, a) -> {
            PrintWriter usage = e.getCommandLine().getErr();
            usage.println(e.getMessage());
            e.getCommandLine().usage(usage);
            return ExitCode.NOT_READY.code();
        });
        return commandLine.execute(args);
    }

    @Override
    public Integer call() throws InterruptedException {
        PipelineConfig config;
        RunOptions options;
        try {
            config = PipelineConfigLoader.load(configFile, environment);
            options = new RunOptions(chunkSize, retries, DurationSyntax.parse(retryDelay), hooks);
        } catch (ConfigException | IllegalArgumentException e) {
            err.println(e.getMessage());
            return ExitCode.NOT_READY.code();
        }
        SparkSession.Builder builder = SparkSession.builder()
                .appName("bronze-cdc micro-batch " + config.source().slotName());
        if (SparkSession.getDefaultSession().isEmpty()) {
            // a plugin is fixed when the context starts: add ours to those spark-submit configured
            builder.config(PLUGINS, withMetricsPlugin(new SparkConf().get(PLUGINS, "")));
        }
        SparkSession spark = builder.getOrCreate();
        LOG.info("Spark {} on {}; pipeline {}", spark.version(), spark.sparkContext().master(), config);
        Trigger trigger = Trigger.AvailableNow();
        if (every != null) {
            Duration interval = every.isEmpty() ? config.batchInterval() : DurationSyntax.parse(every);
            LOG.info("Running pipeline {} every {}", config.source().slotName(), DurationSyntax.format(interval));
            trigger = Trigger.ProcessingTime(interval.toMillis());
        }
        return runQuery(config, options, trigger, checkpoint, out, err, verbose).code();
    }

    /**
     * The pipeline's query until it ends ({@code AvailableNow}) or fails, each committed run printed to {@code out}
     * and recorded in the driver's {@link RunMetrics}; its failure mapped to an exit code with one message on
     * {@code err}.
     *
     * @param checkpoint the query's checkpoint location, or null for a temporary directory removed afterwards
     */
    static ExitCode runQuery(PipelineConfig config, RunOptions options, Trigger trigger, String checkpoint,
            PrintStream out, PrintStream err, boolean verbose) throws InterruptedException {
        Path temporary = null;
        try {
            String location = checkpoint;
            if (location == null) {
                temporary = Files.createTempDirectory("bronze-cdc-checkpoint-" + config.source().slotName() + "-");
                location = temporary.toString();
            }
            String where = location;
            ExitCode code = mapFailure(config, err, verbose, () -> new MicroBatchRun(config, options).runQuery(trigger,
                    where, outcome -> {
                        RunMetrics.driver().recordSuccess(outcome);
                        out.println(outcome.summary());
                    }));
            if (code != ExitCode.SUCCESS) {
                RunMetrics.driver().recordFailure(code);
            }
            return code;
        } catch (IOException e) {
            err.println("Cannot create a temporary checkpoint directory: " + e.getMessage() + "; pass --checkpoint");
            return ExitCode.FAILED;
        } finally {
            deleteQuietly(temporary);
        }
    }

    private static void deleteQuietly(Path directory) {
        if (directory == null) {
            return;
        }
        try (var paths = Files.walk(directory)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("Could not remove the temporary checkpoint {}: {}", directory, e.getMessage());
        }
    }

    /** One run, its failure mapped to an exit code with a message on stderr. */
    static ExitCode runOnce(PipelineConfig config, RunOptions options) throws InterruptedException {
        return runOnce(config, options, System.out, System.err, false);
    }

    /** {@code plugins} (a {@value #PLUGINS} value) with {@link BronzeMetricsPlugin} added when missing. */
    static String withMetricsPlugin(String plugins) {
        String ours = BronzeMetricsPlugin.class.getName();
        List<String> all = new ArrayList<>(Arrays.stream(plugins.split(",")).map(String::strip)
                .filter(name -> !name.isEmpty()).toList());
        if (!all.contains(ours)) {
            all.add(ours);
        }
        return String.join(",", all);
    }

    /** One run, recorded in the driver's {@link RunMetrics}. */
    static ExitCode runOnce(PipelineConfig config, RunOptions options, PrintStream out, PrintStream err,
            boolean verbose) throws InterruptedException {
        ExitCode code = run(config, options, out, err, verbose);
        if (code != ExitCode.SUCCESS) {
            RunMetrics.driver().recordFailure(code);
        }
        return code;
    }

    /** What {@link #mapFailure} runs. */
    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }

    /**
     * One run, its failure mapped to an exit code with one message on {@code err}. A config or source problem
     * (preflight, connection) prints its message alone, with the stack trace only when {@code verbose}.
     */
    private static ExitCode run(PipelineConfig config, RunOptions options, PrintStream out, PrintStream err,
            boolean verbose) throws InterruptedException {
        return mapFailure(config, err, verbose, () -> {
            RunOutcome outcome = new MicroBatchRun(config, options).run();
            RunMetrics.driver().recordSuccess(outcome);
            out.println(outcome.summary());
        });
    }

    private static ExitCode mapFailure(PipelineConfig config, PrintStream err, boolean verbose, Work work)
            throws InterruptedException {
        try {
            work.run();
            return ExitCode.SUCCESS;
        } catch (AnotherRunActiveException e) {
            err.println(e.getMessage());
            return ExitCode.ANOTHER_RUN_ACTIVE;
        } catch (ConfigException e) {
            // tables: a pattern that matches no table of the source; nothing was written
            err.println(e.getMessage());
            return ExitCode.NOT_READY;
        } catch (PreflightException | SourceConnectionException e) {
            err.println(e.getMessage());
            if (verbose) {
                e.printStackTrace(err);
            }
            return ExitCode.NOT_READY;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            LOG.error("Run of pipeline {} failed", config.source().slotName(), e);
            err.println("Run of pipeline " + config.source().slotName() + " failed: " + e.getMessage());
            return ExitCode.FAILED;
        }
    }
}
