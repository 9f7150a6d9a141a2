package io.bronzecdc.peer;

import io.bronzecdc.flink.source.SourcePassword;
import io.bronzecdc.model.bronze.BronzeMigrator;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SourceConnections;
import io.bronzecdc.model.source.SourceInspection;
import io.bronzecdc.model.source.SourcePreflight;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What a peer does before it captures, with bronze-cdc's own code (so peers and engines start from the same
 * source and bronze): resolve the config's tables, apply what an engine's {@code --init} applies (REPLICA IDENTITY
 * FULL, the publication {@code source.publication.name} for the tables, publishing via the partition root), create
 * or migrate the bronze schema ({@link BronzeMigrator}), and register the source password for pgjdbc, so that the
 * peer's library only ever sees {@link SourcePassword#PLACEHOLDER} (flink-pipeline's {@code driverconfig.properties},
 * on the peer's classpath, makes pgjdbc ask {@code SourcePasswordPlugin} for it).
 */
public final class PeerSetup {
    private PeerSetup() {
    }

    /**
     * Prepares source and bronze for {@code config}.
     *
     * @param peer the peer's name, as the connections' application name
     * @return the captured tables
     * @throws IllegalStateException listing what the source lacks that the peer cannot fix
     */
    public static List<TableId> prepare(PipelineConfig config, String peer) throws SQLException {
        SourcePassword.of(config.source()).register();
        try (Connection source = SourceConnections.of(config.source(), peer).open("peer setup");
                Connection target = config.hasSeparateTarget()
                        ? SourceConnections.target(config, peer).open("peer setup") : source) {
            List<TableId> tables = config.tables().resolve(source, config.bronze().schema(),
                    "for slot " + config.source().slotName());
            SourceInspection inspection = new SourcePreflight(config, tables).ignoringSlot().inspect(source);
            List<String> problems = inspection.problemsBeforeFixing();
            if (!problems.isEmpty()) {
                throw new IllegalStateException("the source is not ready: " + String.join("; ", problems));
            }
            inspection.applyFixes(source);
            BronzeMigrator.migrate(target, new BronzeSchema(config.bronze().schema()), tables);
            return tables;
        }
    }
}
