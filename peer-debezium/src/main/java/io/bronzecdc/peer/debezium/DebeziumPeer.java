package io.bronzecdc.peer.debezium;

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
import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The Debezium peer of the benchmark: Debezium's embedded engine ({@code DebeziumEngine.create(Connect.class)}) with
 * its Postgres connector on pgoutput and a {@link BronzeBatchConsumer}, as Debezium's documentation shows it, on the
 * pipeline config bronze-cdc's engines take. Offsets in a {@code FileOffsetBackingStore} in the work folder. Runs
 * until SIGTERM; prints progress once a second.
 *
 * <p>Exit codes: {@value PeerOptions#EXIT_NOT_READY} for a bad command line, config or source (nothing written),
 * {@value PeerOptions#EXIT_FAILED} when the engine stops with an error, 0 after SIGTERM.
 */
public final class DebeziumPeer {
    static final String NAME = "debezium";
    /** Debezium's documented example value (also its default): offsets reach the file once a minute. */
    static final String OFFSET_FLUSH_MILLIS = "60000";

    private DebeziumPeer() {
    }

    public static void main(String[] args) throws Exception {
        ParentWatch.startIfRequested(PeerOptions.EXIT_FAILED);
        PipelineConfig config;
        PeerOptions options;
        List<TableId> tables;
        try {
            options = PeerOptions.parse(NAME, args);
            config = PipelineConfigLoader.load(options.config());
            tables = PeerSetup.prepare(config, NAME);
            Files.createDirectories(options.work());
        } catch (Exception e) {
            System.err.println(NAME + ": " + e.getMessage());
            System.exit(PeerOptions.EXIT_NOT_READY);
            return;
        }
        System.exit(run(config, options.work(), tables));
    }

    private static int run(PipelineConfig config, Path work, List<TableId> tables) throws Exception {
        BronzeSchema schema = new BronzeSchema(config.bronze().schema());
        Connection bronze = (config.hasSeparateTarget() ? SourceConnections.target(config, NAME)
                : SourceConnections.of(config.source(), NAME)).open("bronze writes");
        BronzeBatchConsumer consumer = new BronzeBatchConsumer(bronze, schema,
                new BronzeJdbcWriter(schema).lastLsn(bronze, tables));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine = DebeziumEngine.create(Connect.class)
                .using(properties(config, work, tables))
                .notifying(consumer)
                .using((success, message, error) -> {
                    if (!success) {
                        failure.set(error != null ? error : new IllegalStateException(message));
                    }
                    stopped.countDown();
                })
                .build();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        executor.execute(engine);
        System.out.printf("%s: capturing %s from slot %s into %s (offsets in %s)%n", NAME, tables,
                config.source().slotName(), schema, work);
        Progress.start(NAME, consumer::written);
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                engine.close();
                stopped.await(30, TimeUnit.SECONDS);
                executor.shutdown();
                bronze.close();
            } catch (Exception e) {
                System.err.println(NAME + ": stopping: " + e.getMessage());
            }
            System.out.printf("%s: stopped, %d rows written%n", NAME, consumer.written());
        }, NAME + "-shutdown"));
        stopped.await();
        Throwable error = failure.get();
        if (error != null) {
            System.err.println(NAME + ": the engine stopped: " + error);
            error.printStackTrace();
            return PeerOptions.EXIT_FAILED;
        }
        return 0;
    }

    /** The engine's configuration: the password is {@link SourcePassword#PLACEHOLDER}, pgjdbc gets the real one. */
    static Properties properties(PipelineConfig config, Path work, List<TableId> tables) {
        PipelineConfig.SourceConfig source = config.source();
        Properties p = new Properties();
        p.setProperty("name", "bronze-peer-" + source.slotName());
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
        p.setProperty("offset.storage.file.filename", work.resolve("offsets.dat").toString());
        p.setProperty("offset.flush.interval.ms", OFFSET_FLUSH_MILLIS);
        p.setProperty("database.hostname", source.host());
        p.setProperty("database.port", String.valueOf(source.port()));
        p.setProperty("database.user", source.user());
        p.setProperty("database.password", SourcePassword.PLACEHOLDER);
        p.setProperty("database.dbname", source.database());
        p.setProperty("database.sslmode", source.sslMode().value());
        p.setProperty("topic.prefix", source.slotName());
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", source.slotName());
        p.setProperty("publication.name", source.publicationName());
        // The publication is bronze-cdc's (PeerSetup): Debezium is told not to create or alter it.
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("table.include.list", tables.stream()
                .map(t -> DebeziumIncludeList.exactly(t.schema() + "." + t.name())).collect(Collectors.joining(",")));
        p.setProperty("snapshot.mode", "initial");
        // As flink-pipeline's source sets them: the encoder reads the PostgreSQL type names; numerics as text.
        DebeziumRowEncoder.VALUE_PROPERTIES.forEach(p::setProperty);
        p.setProperty("skipped.operations", "none");
        return p;
    }
}
