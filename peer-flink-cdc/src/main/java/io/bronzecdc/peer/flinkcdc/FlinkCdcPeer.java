package io.bronzecdc.peer.flinkcdc;

import io.bronzecdc.flink.LocalState;
import io.bronzecdc.flink.source.DebeziumIncludeList;
import io.bronzecdc.flink.source.DebeziumRowEncoder;
import io.bronzecdc.flink.source.SourcePassword;
import io.bronzecdc.model.ParentWatch;
import io.bronzecdc.model.bronze.BronzeJdbcWriter;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.PipelineConfigLoader;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SourceConnections;
import io.bronzecdc.peer.PeerOptions;
import io.bronzecdc.peer.PeerSetup;
import io.bronzecdc.peer.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder.PostgresIncrementalSource;
import org.apache.flink.cdc.debezium.JsonDebeziumDeserializationSchema;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcSink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The plain Flink CDC peer of the benchmark, as Flink CDC's and flink-connector-jdbc's documentation show such a job:
 * the incremental-snapshot Postgres source on pgoutput with {@link JsonDebeziumDeserializationSchema} (schema
 * included), a map to bronze rows ({@link BronzeRowMapper}, parallelism 1), and per bronze table one
 * {@code JdbcSink.sink(...)} (at-least-once, batches of {@value #BATCH_ROWS} rows or {@value #BATCH_MILLIS} ms)
 * writing INSERTs. Checkpoints every {@code checkpoint.interval} of the config, into the work folder, retained on
 * cancel; a start resumes from the newest of them (flink-pipeline's {@link LocalState}, as {@code flink run -s} would).
 * A local MiniCluster in this JVM, as bronze-cdc's own job runs locally. Runs until SIGTERM; prints progress once a second.
 *
 * <p>Exit codes: {@value PeerOptions#EXIT_NOT_READY} for a bad command line, config or source (nothing written),
 * {@value PeerOptions#EXIT_FAILED} when the job fails, 0 after SIGTERM.
 */
public final class FlinkCdcPeer {
    static final String NAME = "flink-cdc";
    static final int BATCH_ROWS = 1000;
    static final int BATCH_MILLIS = 200;

    private FlinkCdcPeer() {
    }

    public static void main(String[] args) throws Exception {
        ParentWatch.startIfRequested(PeerOptions.EXIT_FAILED);
        PipelineConfig config;
        PeerOptions options;
        List<TableId> tables;
        Map<String, Long> startLsn = new HashMap<>();
        try {
            options = PeerOptions.parse(NAME, args);
            config = PipelineConfigLoader.load(options.config());
            tables = PeerSetup.prepare(config, NAME);
            Files.createDirectories(options.work());
            BronzeSchema schema = new BronzeSchema(config.bronze().schema());
            try (Connection bronze = bronzeConnections(config).open("peer start")) {
                new BronzeJdbcWriter(schema).lastLsn(bronze, tables).forEach((t, lsn) -> startLsn.put(t.toString(), lsn));
            }
        } catch (Exception e) {
            System.err.println(NAME + ": " + e.getMessage());
            System.exit(PeerOptions.EXIT_NOT_READY);
            return;
        }
        System.exit(run(config, options.work(), tables, startLsn));
    }

    // JdbcSink.sink(...) is the documented at-least-once sink (a SinkFunction); flink-connector-jdbc 3.3 deprecates it
    // for its Sink V2 builder, which the peer keeps out of, as most jobs written from the documentation do.
    @SuppressWarnings("deprecation")
    private static int run(PipelineConfig config, Path work, List<TableId> tables, Map<String, Long> startLsn)
            throws Exception {
        // A restart resumes from the newest retained checkpoint in the work folder, as `flink run -s <checkpoint>` would.
        LocalState state = new LocalState(work.resolve("checkpoints"));
        Optional<Path> restored = state.latestCheckpoint();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(state.configuration());
        env.enableCheckpointing(config.checkpointInterval().toMillis());
        DataStream<BronzeRecord> rows = env
                .fromSource(source(config, tables), WatermarkStrategy.noWatermarks(), "postgres-cdc")
                .uid("postgres-cdc").setParallelism(1)
                .flatMap(new BronzeRowMapper(startLsn)).uid("to-bronze-rows").name("to-bronze-rows")
                .setParallelism(1);
        BronzeSchema schema = new BronzeSchema(config.bronze().schema());
        for (TableId table : tables) {
            String name = table.toString();
            rows.filter(row -> row.table().equals(name)).uid("rows of " + name).name("rows of " + name)
                    .setParallelism(1)
                    .addSink(JdbcSink.sink(schema.insertStatement(table), (statement, row) -> {
                        statement.setLong(1, row.lsn());
                        statement.setString(2, row.op());
                        statement.setString(3, row.fullRow());
                        statement.setLong(4, row.sourceLsn());
                        if (row.txId() == null) {
                            statement.setNull(5, Types.BIGINT);
                            statement.setNull(6, Types.TIMESTAMP_WITH_TIMEZONE);
                        } else {
                            statement.setLong(5, row.txId());
                            statement.setTimestamp(6, new Timestamp(row.commitMillis()));
                        }
                    }, JdbcExecutionOptions.builder().withBatchSize(BATCH_ROWS).withBatchIntervalMs(BATCH_MILLIS)
                            .build(), connection(config)))
                    .uid("jdbc " + name).name("jdbc " + schema.displayTableOf(table)).setParallelism(1);
        }
        JobClient job = env.executeAsync(NAME + " " + config.source().slotName() + " -> " + schema);
        System.out.printf("%s: capturing %s from slot %s into %s (checkpoints every %d ms in %s; %s)%n", NAME, tables,
                config.source().slotName(), schema, config.checkpointInterval().toMillis(), state.directory(),
                restored.map(c -> "resuming from " + c).orElse("no checkpoint yet: a first start"));
        Progress.start(NAME, BronzeRowMapper.EMITTED::get);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                job.cancel().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println(NAME + ": stopping: " + e.getMessage());
            }
            System.out.printf("%s: stopped, %d rows handed to the sinks%n", NAME, BronzeRowMapper.EMITTED.get());
        }, NAME + "-shutdown"));
        try {
            job.getJobExecutionResult().get();
            return 0;
        } catch (Exception e) {
            System.err.println(NAME + ": the job failed: " + e);
            e.printStackTrace();
            return PeerOptions.EXIT_FAILED;
        }
    }

    /**
     * Flink CDC's source as its documentation builds it, with the Debezium properties bronze-cdc's own Flink CDC
     * source sets (so values arrive in the same form). The password is {@link SourcePassword#PLACEHOLDER}: Flink CDC
     * logs its Debezium configuration; pgjdbc gets the real one from the registry {@code PeerSetup} filled.
     */
    static PostgresIncrementalSource<String> source(PipelineConfig config, List<TableId> tables) {
        PipelineConfig.SourceConfig source = config.source();
        Properties debezium = new Properties();
        debezium.setProperty("publication.name", source.publicationName());
        debezium.setProperty("publication.autocreate.mode", "disabled");
        DebeziumRowEncoder.VALUE_PROPERTIES.forEach(debezium::setProperty);
        debezium.setProperty("database.sslmode", source.sslMode().value());
        return PostgresIncrementalSource.<String>builder()
                .hostname(source.host())
                .port(source.port())
                .database(source.database())
                .schemaList(tables.stream().map(t -> DebeziumIncludeList.exactly(t.schema())).distinct()
                        .toArray(String[]::new))
                .tableList(tables.stream().map(t -> DebeziumIncludeList.exactly(t.schema() + "." + t.name()))
                        .toArray(String[]::new))
                .username(source.user())
                .password(SourcePassword.PLACEHOLDER)
                .slotName(source.slotName())
                .decodingPluginName("pgoutput")
                .includePartitionedTables(true)
                .heartbeatInterval(Duration.ofSeconds(5))
                .startupOptions(StartupOptions.initial())
                .debeziumProperties(debezium)
                .deserializer(new JsonDebeziumDeserializationSchema(true))
                .build();
    }

    /**
     * flink-connector-jdbc's connection to bronze. For bronze in the source database no password is given: pgjdbc
     * asks the registry; a separate {@code target:} gets its own password in the sink's options.
     */
    private static JdbcConnectionOptions connection(PipelineConfig config) {
        PipelineConfig.Database bronze = config.bronzeDatabase();
        JdbcConnectionOptions.JdbcConnectionOptionsBuilder options =
                new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                        .withUrl(bronze.jdbcUrl())
                        .withDriverName("org.postgresql.Driver")
                        .withUsername(bronze.user());
        if (config.hasSeparateTarget()) {
            options.withPassword(bronze.password().reveal());
        }
        return options.build();
    }

    private static SourceConnections bronzeConnections(PipelineConfig config) {
        return config.hasSeparateTarget() ? SourceConnections.target(config, NAME)
                : SourceConnections.of(config.source(), NAME);
    }
}
