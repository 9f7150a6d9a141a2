package io.bronzecdc.spark.job;

import io.bronzecdc.model.ExitCode;
import io.bronzecdc.model.bronze.BronzeMigrator;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.ConfigException;
import io.bronzecdc.model.config.DurationSyntax;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.PipelineConfigLoader;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.model.postgres.SourceConnectionException;
import io.bronzecdc.model.postgres.SourceConnections;
import io.bronzecdc.spark.validate.MetricsSummary;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spark-submit --class io.bronzecdc.spark.job.ValidationJob spark-batch-<version>-app.jar --config
 * pipeline.yaml [--schema <bronze schema>] [--json <file>] [--lag-threshold 10m] [--verbose]}: validates one
 * bronze schema of the pipeline's database, whichever engine wrote it, with the shared {@link BronzeValidator}
 * (every check of DESIGN.md section 2, in one consistent snapshot), prints the CDC metrics summary and the report,
 * writes the JSON, and exits with {@link ExitCode#SUCCESS} when every check passed or {@link ExitCode#CHECK_FAILED}.
 *
 * <p>The checks are SQL run by PostgreSQL next to the data; Spark adds nothing to them, so the job does not read
 * bronze into Spark. It still creates its session ({@code getOrCreate}, never setting the master), because a
 * {@code spark-submit} application in cluster mode is expected to start one and the run then shows in the
 * cluster's UI and history.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Validates a bronze change-log schema against the contract and prints the CDC metrics summary.")
public final class ValidationJob implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ValidationJob.class);

    @Option(names = "--config", required = true, paramLabel = "<pipeline.yaml>",
            description = "The pipeline's YAML config file: database, tables, slot, lag.threshold.")
    Path configFile;

    @Option(names = "--schema", paramLabel = "<schema>",
            description = "The bronze schema to validate (default: bronze.schema of the config). Any engine's.")
    String schema;

    @Option(names = "--json", paramLabel = "<file>",
            description = "Write the JSON report to this file instead of as the last line of standard output.")
    Path jsonFile;

    @Option(names = "--lag-threshold", paramLabel = "<duration>",
            description = "Alert when a table's last load is older (such as 10m; default: lag.threshold of the"
                    + " config).")
    String lagThreshold;

    @Option(names = "--verbose", description = "Print the stack trace of an error too.")
    boolean verbose;

    private final Function<String, String> environment;
    private final PrintStream out;
    private final PrintStream err;

    ValidationJob(Function<String, String> environment, PrintStream out, PrintStream err) {
        this.environment = environment;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        int code = execute(args, System::getenv, System.out, System.err);
        SparkSession.getActiveSession().foreach(session -> {
            session.stop();
            return null;
        });
        System.exit(code);
    }

    /**
     * Parses {@code args} and validates; returns the exit code instead of exiting, for tests and embedding.
     *
     * @param environment where the password variable named by the config is looked up
     * @param out where the summary, the report and (without {@code --json}) the JSON go
     * @param err where problems that stop the validation are explained
     */
    public static int execute(String[] args, Function<String, String> environment, PrintStream out,
            PrintStream err) {
        CommandLine commandLine = new CommandLine(new ValidationJob(environment, out, err));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setExecutionExceptionHandler((e, cl, parsed) -> {
            LOG.error("Validation failed", e);
            cl.getErr().println("Validation failed: " + e);
            return ExitCode.FAILED.code();
        });
        commandLine.setExitCodeExceptionMapper(e -> ExitCode.NOT_READY.code());
        commandLine.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println(e.getMessage());
            e.getCommandLine().usage(e.getCommandLine().getErr());
            return ExitCode.NOT_READY.code();
        });
        return commandLine.execute(args);
    }

    @Override
    public Integer call() {
        PipelineConfig config;
        BronzeSchema bronze;
        Duration threshold;
        try {
            config = PipelineConfigLoader.load(configFile, environment);
            bronze = new BronzeSchema(schema == null ? config.bronze().schema() : schema);
            threshold = lagThreshold == null ? config.lagThreshold() : DurationSyntax.parse(lagThreshold);
            if (threshold.isZero() || threshold.isNegative()) {
                throw new IllegalArgumentException("--lag-threshold must be positive but was '" + lagThreshold + "'");
            }
        } catch (ConfigException | IllegalArgumentException e) {
            err.println(e.getMessage());
            return ExitCode.NOT_READY.code();
        }
        SparkSession spark = SparkSession.builder().appName("bronze-cdc validation " + bronze.name()).getOrCreate();
        LOG.info("Spark {} on {}; validating schema {} of pipeline {}", spark.version(), spark.sparkContext().master(),
                bronze.name(), config);
        ValidationOptions options = ValidationOptions.defaults().withLagThreshold(threshold)
                .withSlot(config.source().slotName());
        SourceConnections connections = SourceConnections.target(config, "spark");
        ValidationReport report;
        try (Connection connection = connections.open("validation");
                Connection source = config.hasSeparateTarget()
                        ? SourceConnections.of(config.source(), "spark").open("validation") : connection) {
            List<TableId> resolved = config.tables().resolve(source, bronze.name(), configFile.toString());
            // A table created since the pipeline's last run (or waiting to be published) has no log yet: the
            // report covers the tables bronze captures, and names the others.
            Set<TableId> captured = BronzeMigrator.capturedTables(connection, bronze);
            List<TableId> tables = captured.isEmpty() ? resolved
                    : resolved.stream().filter(captured::contains).toList();
            if (tables.size() < resolved.size()) {
                LOG.warn("Not validated, not captured by the pipeline yet (created since its last run, or not"
                        + " published yet): {}", resolved.stream().filter(t -> !captured.contains(t)).toList());
            }
            report = BronzeValidator.validate(connection, source, bronze, tables, options);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return ExitCode.NOT_READY.code();
        } catch (SourceConnectionException e) {
            // Names the config key to fix; nothing was validated.
            err.println(e.getMessage());
            if (verbose) {
                e.printStackTrace(err);
            }
            return ExitCode.NOT_READY.code();
        } catch (IllegalStateException e) {
            // The validator's message names the missing bronze table and how to fix the schema or connection.
            err.println(e.getMessage());
            return ExitCode.NOT_READY.code();
        } catch (SQLException e) {
            LOG.error("Validation of schema {} failed", bronze.name(), e);
            err.println("Validation of schema " + bronze.name() + " on " + connections.describe()
                    + " failed before every check ran: " + e.getMessage() + " (SQLState " + e.getSQLState() + ")");
            return ExitCode.FAILED.code();
        }
        return print(report, MetricsSummary.of(report, threshold));
    }

    private int print(ValidationReport report, MetricsSummary summary) {
        out.print(summary.toText());
        out.print(report.toText());
        String json = summary.toJson(report);
        if (jsonFile == null) {
            out.println(json);
        } else {
            try {
                Files.writeString(jsonFile, json + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("Cannot write the JSON report to " + jsonFile.toAbsolutePath() + ": " + e
                        + ". The checks " + (report.passed() ? "passed" : "failed") + " as printed above");
                return ExitCode.FAILED.code();
            }
            out.println("JSON report: " + jsonFile.toAbsolutePath());
        }
        out.flush();
        return (report.passed() ? ExitCode.SUCCESS : ExitCode.CHECK_FAILED).code();
    }

}
