package io.bronzecdc.flink;

import io.bronzecdc.flink.preflight.Preflight;
import io.bronzecdc.flink.preflight.RecordedSource;
import io.bronzecdc.flink.preflight.PreflightException;
import io.bronzecdc.flink.sequence.SequencedChange;
import io.bronzecdc.flink.sequence.SequencerFunction;
import io.bronzecdc.flink.sink.BronzeLogSink;
import io.bronzecdc.flink.sink.BronzeSink;
import io.bronzecdc.flink.sink.JdbcTarget;
import io.bronzecdc.flink.sink.LogProgress;
import io.bronzecdc.flink.sink.SlotWatch;
import io.bronzecdc.flink.source.CapturedChange;
import io.bronzecdc.flink.source.PostgresCdcSource;
import io.bronzecdc.flink.source.SwitchBoundary;
import io.bronzecdc.flink.source.SwitchFilter;
import io.bronzecdc.flink.source.pgoutput.PgOutputSource;
import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.ParentWatch;
import io.bronzecdc.model.bronze.BronzeMigrator;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.ConfigException;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.PipelineConfigDescriber;
import io.bronzecdc.model.config.PipelineConfigLoader;
import io.bronzecdc.model.config.SourceConnector;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SourceConnectionException;
import io.bronzecdc.model.postgres.SourceConnections;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The streaming job: {@code flink run -c io.bronzecdc.flink.BronzeCdcJob bronze-cdc-job.jar --config pipeline.yaml
 * [--init] [--verbose]}. Loads the pipeline config, checks the source database and the database bronze is written to
 * (preflight, each side separately) before submitting anything, brings the bronze schema up to date, then runs source,
 * sequencer and exactly-once sink until cancelled. Wiring only: the logic lives in the source, sequence and sink
 * packages and in the shared model.
 */
@Command(name = "bronze-cdc-job", mixinStandardHelpOptions = true,
        description = "Streams PostgreSQL changes into the bronze change-log tables, exactly once.")
public final class BronzeCdcJob implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(BronzeCdcJob.class);
    /**
     * Exit code of a job that was not submitted because its command line, its config, the source database or the
     * bronze schema is not ready for it (the message says which and how to fix it); nothing was changed.
     */
    public static final int EXIT_NOT_READY = 2;
    /** Exit code of a start that failed for another reason (a bug, or the cluster refused the job). */
    public static final int EXIT_FAILED = 1;
    /** COPY buffered rows into the open transaction once they reach this many bytes. */
    static final int SINK_FLUSH_BYTES = 4 << 20;
    /**
     * The least time between two commits of one bronze sink subtask while changes keep arriving (the pgoutput
     * source's sink commits at the end of a source transaction, not at checkpoints).
     */
    static final Duration SINK_COMMIT_INTERVAL = Duration.ofMillis(10);
    /** How long a partly filled network buffer waits before it is sent downstream (Flink's default: 100 ms). */
    static final Duration NETWORK_BUFFER_TIMEOUT = Duration.ofMillis(5);

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The pipeline YAML file.")
    private Path configFile;

    @Option(names = "--init", description = "Set REPLICA IDENTITY FULL and create or complete the publication where"
            + " needed, once every other check has passed (all in one transaction).")
    private boolean init;

    @Option(names = "--local-state", paramLabel = "DIR", description = "Run in an in-process Flink (no cluster) with"
            + " checkpoints in DIR, resuming from the newest completed one there: how bin/bronze-cdc stream runs the"
            + " job. Not for flink run, where the cluster's checkpoint storage and flink run -s apply.")
    private Path localState;

    @Option(names = "--switch-source", description = "Switch the pipeline to the source.connector of the config: the"
            + " job starts from the savepoint (or last checkpoint) the previous source stopped at, drops that source's"
            + " state, and the new source streams from the slot's confirmed position without a snapshot, dropping what"
            + " bronze holds already. See the README, Switching the source.")
    private boolean switchSource;

    @Option(names = "--verbose", description = "Print the stack trace of an error too.")
    private boolean verbose;

    public static void main(String[] args) {
        ParentWatch.startIfRequested(EXIT_FAILED);
        System.exit(commandLine().execute(args));
    }

    /**
     * The job's command line. A bad config or environment (config, preflight, connection) ends with its message
     * alone (it names the problem and its fix; the stack trace only with {@code --verbose}) and exit code
     * {@value #EXIT_NOT_READY}; anything else also prints its stack trace and exits {@value #EXIT_FAILED}.
     */
    public static CommandLine commandLine() {
        return new CommandLine(new BronzeCdcJob()).setExecutionExceptionHandler((error, cli, parsed) -> {
            boolean notReady = error instanceof PreflightException || error instanceof ConfigException
                    || error instanceof SourceConnectionException;
            cli.getErr().println("bronze-cdc: " + error.getMessage());
            refusal(error).ifPresent(refusal -> cli.getErr().println("bronze-cdc: the job failed for good: "
                    + refusal.getMessage()));
            if (!notReady || ((BronzeCdcJob) cli.getCommand()).verbose) {
                error.printStackTrace(cli.getErr());
            }
            cli.getErr().flush();
            return notReady ? EXIT_NOT_READY : EXIT_FAILED;
        });
    }

    /**
     * The contract violation that ended a job, if one did ({@code env.execute} wraps it in Flink's job and restart
     * exceptions): printed on its own line, since it says what to do.
     */
    static Optional<ContractViolationException> refusal(Throwable error) {
        return ExceptionUtils.findThrowable(error, ContractViolationException.class);
    }

    @Override
    public Integer call() throws Exception {
        PipelineConfig config = PipelineConfigLoader.load(configFile);
        StreamExecutionEnvironment env;
        if (localState == null) {
            env = StreamExecutionEnvironment.getExecutionEnvironment();
        } else {
            LocalState state = new LocalState(localState);
            Configuration conf = state.configuration();
            if (switchSource) {
                conf.addAll(allowingDroppedSourceState());
            }
            env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            LOG.info("Checkpoints in {}; {}", state.directory(), state.latestCheckpoint()
                    .map(checkpoint -> "resuming from " + checkpoint).orElse("no checkpoint yet: a first start"));
        }
        if (switchSource && !env.getConfiguration().get(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE)) {
            // flink run builds the job's restore settings from its own command line, not from the program's
            throw new PreflightException("the flink run command", List.of("--switch-source leaves the previous"
                    + " source's state in the savepoint behind, which Flink refuses unless told: add"
                    + " --allowNonRestoredState (-n) to flink run, next to -s <savepoint>"));
        }
        String switchFrom = switchSource ? restoredPath(env.getConfiguration()).orElse("") : null;
        Start start = prepare(config, env.getParallelism(), init, restoresState(env.getConfiguration()), switchFrom);
        build(env, config, start.tables(), start.boundary(), UnaryOperator.identity());
        env.execute("bronze-cdc " + config.source().slotName() + " -> " + config.bronze().schema());
        return 0;
    }

    /**
     * Whether the job will start from a checkpoint or savepoint. {@code flink run -s <path>} puts the path into the
     * configuration its CLI hands to {@code main}'s environment as {@code execution.savepoint.path}; a MiniCluster
     * (tests, the demo) gets it in the configuration of its local environment.
     */
    public static boolean restoresState(ReadableConfig flink) {
        return restoredPath(flink).isPresent();
    }

    /** The savepoint or checkpoint the job starts from ({@link #restoresState}). */
    public static Optional<String> restoredPath(ReadableConfig flink) {
        return flink.getOptional(StateRecoveryOptions.SAVEPOINT_PATH).filter(path -> !path.isBlank());
    }

    /**
     * What a switched start restores with: the previous source's state (under its own operator id) is left
     * behind, as {@code flink run --allowNonRestoredState} does; everything else must map.
     */
    public static Configuration allowingDroppedSourceState() {
        Configuration conf = new Configuration();
        conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
        return conf;
    }

    /**
     * What {@link #prepare} found: the captured tables and, for a switched start, what the new source resends that
     * bronze holds already.
     *
     * @param boundary null unless the start switches the source
     */
    public record Start(List<TableId> tables, SwitchBoundary boundary) {
    }

    /**
     * Everything before the first write: preflight (with {@code init}, fixes what it can once every check has
     * passed), then the bronze migrations. The captured tables are resolved from the config's patterns first, so a
     * table created since the last start that matches {@code tables.include} is captured from this start on. Nothing
     * is changed when a check fails.
     *
     * @param restoresState whether the job restores a checkpoint or savepoint; without one, bronze must be empty
     * @return the captured tables
     * @throws ConfigException naming each include pattern that matches no table
     * @throws PreflightException listing every problem
     * @throws SourceConnectionException when the database cannot be reached, explained in the config's terms
     */
    public static List<TableId> prepare(PipelineConfig config, int parallelism, boolean init,
            boolean restoresState) throws SQLException {
        return prepare(config, parallelism, init, restoresState, null).tables();
    }

    /**
     * {@link #prepare(PipelineConfig, int, boolean, boolean)}, and for a start that switches the source
     * ({@code switchFrom} not null) the switch checks of the preflight, the new source recorded in the bronze
     * schema and the switch boundary read from the slot and bronze. Every start records the source when none is.
     *
     * @param switchFrom the savepoint or checkpoint a {@code --switch-source} start restores ("" when none was
     *     given, which the preflight refuses); null for any other start
     */
    public static Start prepare(PipelineConfig config, int parallelism, boolean init, boolean restoresState,
            String switchFrom) throws SQLException {
        LOG.info("bronze-cdc pipeline: {}", PipelineConfigDescriber.describe(config));
        try (Connection source = SourceConnections.of(config.source(), "flink").open("preflight");
                Connection target = config.hasSeparateTarget()
                        ? SourceConnections.target(config, "flink").open("preflight") : source) {
            List<TableId> tables = config.tables().resolve(source, config.bronze().schema(),
                    "for slot " + config.source().slotName());
            LOG.info("Capturing {} tables: {}", tables.size(), tables);
            Preflight preflight = new Preflight(config, tables, parallelism);
            (switchFrom == null ? preflight : preflight.switchingSourceFrom(switchFrom))
                    .run(source, target, init, restoresState);
            BronzeSchema schema = new BronzeSchema(config.bronze().schema());
            BronzeMigrator.migrate(target, schema, tables);
            SwitchBoundary boundary = null;
            if (switchFrom != null) {
                boundary = SwitchBoundary.read(source, target, config.source().slotName(),
                        config.source().publicationName(), schema, tables);
                LOG.info("Switching pipeline {} to source.connector {} from {}: resuming the slot at {}; bronze holds"
                        + " {} of the transactions it will resend whole{}", config.source().slotName(),
                        config.connector(), switchFrom, PgLsn.of(boundary.resumeLsn()), boundary.inBronze().size(),
                        boundary.isEmpty() ? "" : " and of transaction " + boundary.frontierXid() + " the first "
                                + boundary.frontierRows());
            }
            if (switchFrom != null && config.connector() == SourceConnector.PGOUTPUT) {
                LogProgress.recordSwitch(target, schema, tables);
            }
            RecordedSource.record(target, schema, config.source().slotName(), config.connector(), switchFrom);
            return new Start(tables, boundary);
        }
    }

    /**
     * Adds the pipeline to {@code env}: checkpointing (the last checkpoint kept on cancellation), the restart
     * strategy of {@link RecoveryPolicy}, source and exactly-once sink: with the pgoutput source, keyed by table into
     * {@link BronzeLogSink} (lsn, whole transactions, progress in bronze, no two-phase commit); with the Flink CDC
     * source, the keyed {@link SequencerFunction} (lsn in Flink state) and {@link BronzeSink} (prepared transactions
     * committed when the checkpoint completes).
     *
     * @param tables the captured tables, as {@link #prepare} resolved them
     * @param beforeSequencer a hook on the captured stream (identity in production; tests inject failures here); what
     *     it adds must run at the stream's parallelism ({@code captured.getParallelism()}, 1 for the pgoutput source),
     *     as a rebalance before the sequencer's keyBy would reorder the changes
     */
    public static void build(StreamExecutionEnvironment env, PipelineConfig config, List<TableId> tables,
            UnaryOperator<DataStream<CapturedChange>> beforeSequencer) {
        build(env, config, tables, null, beforeSequencer);
    }

    /**
     * {@link #build(StreamExecutionEnvironment, PipelineConfig, List, UnaryOperator)} for a start that may switch the
     * source: with a {@code boundary}, the source streams from the slot's position without a snapshot and the
     * {@link SwitchFilter} right after it drops what bronze holds already. The filter is in every job graph
     * (passing everything without a boundary), so checkpoints of switched and other runs restore alike.
     */
    public static void build(StreamExecutionEnvironment env, PipelineConfig config, List<TableId> tables,
            SwitchBoundary boundary, UnaryOperator<DataStream<CapturedChange>> beforeSequencer) {
        env.enableCheckpointing(config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        // The first checkpoint may race the snapshot splitter; one failed checkpoint must not fail the job.
        env.getCheckpointConfig().setTolerableCheckpointFailureNumber(3);
        // A cancelled job keeps its last checkpoint, so `flink run -s <checkpoint>` resumes it on any cluster.
        env.getCheckpointConfig().setExternalizedCheckpointRetention(
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        env.configure(RecoveryPolicy.restartStrategy(env.getConfiguration()));
        JdbcTarget target = JdbcTarget.of(config);
        BronzeSchema schema = new BronzeSchema(config.bronze().schema());
        BronzeSink.Settings sink = new BronzeSink.Settings(target, schema.name(), sinkId(config), SINK_FLUSH_BYTES);
        DataStream<CapturedChange> read = source(env, config, tables, boundary);
        // At the source's parallelism, chained to it: a rebalance would reorder the changes.
        DataStream<CapturedChange> captured = beforeSequencer.apply(read.flatMap(new SwitchFilter(boundary))
                .returns(read.getType()).setParallelism(read.getParallelism()).uid("source-switch")
                .name("source-switch"));
        if (config.connector() == SourceConnector.FLINK_CDC) {
            DataStream<SequencedChange> sequenced = captured
                    .keyBy(CapturedChange::table)
                    .process(new SequencerFunction(target, schema, boundary != null))
                    .uid("sequencer").name("sequencer");
            sequenced.sinkTo(new BronzeSink(sink, SlotWatch.of(config)))
                    .uid("bronze-sink").name("bronze-sink");
            return;
        }
        // Flink sends a partly filled network buffer after 100 ms by default: at low rates that would be most of the
        // latency of a sink that commits within milliseconds. Under load buffers fill and leave at once anyway.
        env.setBufferTimeout(NETWORK_BUFFER_TIMEOUT.toMillis());
        captured.keyBy(CapturedChange::table)
                .sinkTo(new BronzeLogSink(sink, SlotWatch.of(config), SINK_COMMIT_INTERVAL))
                .uid("bronze-log-sink").name("bronze-log-sink");
    }

    /**
     * The source {@code source.connector} names. The pgoutput source reads the one slot in one subtask (parallelism
     * 1; the rest of the job keeps its own); each has its own operator id, so a checkpoint of one is never restored
     * into the other.
     */
    private static DataStream<CapturedChange> source(StreamExecutionEnvironment env, PipelineConfig config,
            List<TableId> tables, SwitchBoundary boundary) {
        if (config.connector() == SourceConnector.FLINK_CDC) {
            return env.fromSource(boundary == null ? PostgresCdcSource.of(config, tables)
                    : PostgresCdcSource.resumingFromSlot(config, tables), WatermarkStrategy.noWatermarks(),
                    "postgres-cdc").uid("postgres-cdc");
        }
        return env.fromSource(boundary == null ? PgOutputSource.of(config, tables)
                : PgOutputSource.resumingAt(config, tables, boundary.resumeLsn()), WatermarkStrategy.noWatermarks(),
                "pgoutput-source").uid("pgoutput-source").setParallelism(1);
    }

    /**
     * Unique per pipeline: its slot and bronze schema. Both may contain '_', so the slot's length leads, or slot
     * {@code p_x} with schema {@code cdc} and slot {@code p} with schema {@code x_cdc} would share prepared
     * transaction ids (which are server-wide) and roll back each other's work.
     */
    static String sinkId(PipelineConfig config) {
        String slot = config.source().slotName();
        return slot.length() + "_" + slot + "_" + config.bronze().schema();
    }
}
