package io.bronzecdc.flink.source;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.TableId;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder.PostgresIncrementalSource;

/**
 * The Flink CDC incremental Postgres source of a pipeline: initial snapshot, then the WAL through pgoutput on
 * the pipeline's named slot and publication. The password never enters Flink CDC's or Debezium's configuration
 * (see {@link SourcePassword}).
 */
public final class PostgresCdcSource {
    /** Rows per snapshot split: each split creates a temporary slot, so fewer, larger splits start faster. */
    static final int SNAPSHOT_SPLIT_ROWS = 50_000;

    private PostgresCdcSource() {
    }

    /**
     * The source for {@code config}, capturing {@code tables} (resolved from the config's patterns). The publication must exist ({@code publish_via_partition_root = true}, see
     * the preflight); Debezium is told not to create or alter it.
     */
    public static PostgresIncrementalSource<CapturedChange> of(PipelineConfig config, List<TableId> tables) {
        return of(config, tables, StartupOptions.initial());
    }

    /**
     * The source of a pipeline switched to it from another source ({@code --switch-source}): without state of its
     * own it streams from the slot's confirmed position (Flink CDC's committed-offset start), no snapshot.
     */
    public static PostgresIncrementalSource<CapturedChange> resumingFromSlot(PipelineConfig config,
            List<TableId> tables) {
        return of(config, tables, StartupOptions.committed());
    }

    private static PostgresIncrementalSource<CapturedChange> of(PipelineConfig config, List<TableId> tables,
            StartupOptions startup) {
        PipelineConfig.SourceConfig source = config.source();
        Properties debezium = new Properties();
        debezium.setProperty("publication.name", source.publicationName());
        // Flink CDC narrows table.include.list per split, which the 'filtered' mode turns into ALTER PUBLICATION.
        debezium.setProperty("publication.autocreate.mode", "disabled");
        // The value forms the canonical encoder reads (column types named, numerics as text, unknown types kept).
        DebeziumRowEncoder.VALUE_PROPERTIES.forEach(debezium::setProperty);
        debezium.setProperty("database.sslmode", source.sslMode().value());
        // Debezium 1.9 skips TRUNCATE by default, silently: have it emitted, so the deserializer stops on it. Both
        // keys are needed: the deprecated truncate.handling.mode (default skip) adds 't' to skipped.operations.
        debezium.setProperty("skipped.operations", "none");
        debezium.setProperty("truncate.handling.mode", "include");
        return PostgresSourceBuilder.PostgresIncrementalSource.<CapturedChange>builder()
                .hostname(source.host())
                .port(source.port())
                .database(source.database())
                .schemaList(tables.stream().map(t -> exactly(t.schema())).distinct().toArray(String[]::new))
                .tableList(tables.stream().map(t -> exactly(t.schema() + "." + t.name())).toArray(String[]::new))
                .username(source.user())
                // Flink CDC puts the password into the Debezium config, which it logs in full: it gets a placeholder,
                // and pgjdbc gets the password from SourcePassword instead.
                .password(SourcePassword.PLACEHOLDER)
                .slotName(source.slotName())
                .decodingPluginName("pgoutput")
                // Without it a partitioned table is not discovered at all.
                .includePartitionedTables(true)
                .heartbeatInterval(Duration.ofSeconds(5))
                .splitSize(SNAPSHOT_SPLIT_ROWS)
                .startupOptions(startup)
                .debeziumProperties(debezium)
                .deserializer(new CanonicalDeserializer(SourcePassword.of(source)))
                .build();
    }

    /** {@link DebeziumIncludeList#exactly}: an include-list entry matching exactly {@code name}. */
    static String exactly(String name) {
        return DebeziumIncludeList.exactly(name);
    }
}
