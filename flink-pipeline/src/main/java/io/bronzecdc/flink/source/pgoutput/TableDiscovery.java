package io.bronzecdc.flink.source.pgoutput;

import io.bronzecdc.model.config.ConfigException;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.TablePattern;
import io.bronzecdc.model.source.TableSelection;
import java.io.Serial;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The config's table patterns as the job graph carries them to the reader, which resolves them again against
 * {@code pg_catalog} every {@link #interval()} while it streams, to find the tables created (or newly matching)
 * since the pipeline started. The interval is the checkpoint interval, at least {@value #MIN_INTERVAL_MILLIS} ms: a
 * new table reaches bronze at a checkpoint anyway.
 */
final class TableDiscovery implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    static final long MIN_INTERVAL_MILLIS = 1_000;

    private final List<String> include;
    private final List<String> exclude;
    private final boolean shorthand;
    private final String bronzeSchema;
    private final long intervalMillis;
    private final long lagThresholdMillis;

    private TableDiscovery(PipelineConfig config) {
        this.include = config.tables().include().stream().map(TablePattern::text).toList();
        this.exclude = config.tables().exclude().stream().map(TablePattern::text).toList();
        this.shorthand = config.tables().shorthand();
        this.bronzeSchema = config.bronze().schema();
        this.intervalMillis = Math.max(MIN_INTERVAL_MILLIS, config.checkpointInterval().toMillis());
        this.lagThresholdMillis = config.lagThreshold().toMillis();
    }

    static TableDiscovery of(PipelineConfig config) {
        return new TableDiscovery(config);
    }

    Duration interval() {
        return Duration.ofMillis(intervalMillis);
    }

    TableSelection selection() {
        return new TableSelection(include.stream().map(TablePattern::parse).toList(),
                exclude.stream().map(TablePattern::parse).toList(), shorthand);
    }

    /**
     * The tables the patterns select now, or empty when they cannot be resolved now (a pattern that matches no
     * table any more, say after a DROP TABLE: the start would refuse it, a running pipeline keeps what it has).
     */
    Optional<List<TableId>> resolve(Connection catalog, String slot) throws SQLException {
        try {
            return Optional.of(selection().resolve(catalog, bronzeSchema, "for slot " + slot));
        } catch (ConfigException e) {
            return Optional.empty();
        }
    }

    /** The pipeline's config as far as the source checks need it (source, tables, bronze schema). */
    PipelineConfig config(SlotEndpoint endpoint) {
        return new PipelineConfig(endpoint.sourceConfig(), new PipelineConfig.BronzeConfig(bronzeSchema), selection(),
                Duration.ofMillis(intervalMillis), Duration.ofMillis(lagThresholdMillis), Duration.ofMillis(
                        intervalMillis));
    }

    @Override
    public String toString() {
        return "tables " + include + (exclude.isEmpty() ? "" : " - " + exclude) + " every " + intervalMillis + " ms";
    }
}
