package io.bronzecdc.spark.job;

import io.bronzecdc.model.bronze.BronzeMigrator;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SourceConnections;
import io.bronzecdc.model.source.LateTableSnapshot;
import io.bronzecdc.model.source.SnapshotHandover;
import io.bronzecdc.spark.write.BronzeAppender;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the tables created (or included) since the last run into a stream run, before it takes its bound: each
 * is published if needed and the role may ({@link LateTableSnapshot}), its change log and {@code bronze_tables}
 * row are created in the run's open bronze transaction and its snapshot rows appended there (lsn 1..k, before any
 * streamed change). A table that cannot be captured yet is left out of the run with a warning that names the
 * statements to run, logged once per table and process. Nothing of a table commits unless the run commits, so a
 * run that dies leaves it uncaptured and the next run takes a new snapshot.
 */
final class NewTables {
    private static final Logger LOG = LoggerFactory.getLogger(NewTables.class);
    /** How long a new table's snapshot waits for transactions that were writing to it when it was published. */
    private static final Duration WRITER_WAIT = Duration.ofSeconds(60);
    /** The warnings already logged by this process. */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private final PipelineConfig config;
    private final SourceConnections connections;
    private final BronzeSchema schema;
    private final RunHooks hooks;

    NewTables(PipelineConfig config, SourceConnections connections, BronzeSchema schema, RunHooks hooks) {
        this.config = config;
        this.connections = connections;
        this.schema = schema;
        this.hooks = hooks;
    }

    /**
     * @param source a source connection in auto-commit mode
     * @param bronze the bronze connection, in the run's open transaction
     * @param appender the run's appender on {@code bronze}
     * @return each table captured now with its handover, in the order given
     */
    Map<TableId, SnapshotHandover> bringIn(Connection source, Connection bronze, BronzeAppender appender,
            List<TableId> tables) throws SQLException {
        Map<TableId, SnapshotHandover> handovers = new LinkedHashMap<>();
        if (tables.isEmpty()) {
            return handovers;
        }
        String slot = config.source().slotName();
        LateTableSnapshot snapshots = new LateTableSnapshot(config, WRITER_WAIT);
        try (Connection reader = connections.open("new-table snapshot")) {
            for (TableId table : tables) {
                Savepoint before = bronze.setSavepoint();
                BronzeMigrator.addTable(bronze, schema, table);
                LateTableSnapshot.Outcome outcome = snapshots.bringIn(source, reader, table,
                        () -> hooks.at(RunPoint.LATE_TABLE_SNAPSHOT), change -> {
                            try {
                                appender.add(change);
                            } catch (SQLException e) {
                                throw new BronzeWriteException(e);
                            }
                        });
                if (outcome instanceof LateTableSnapshot.Captured captured) {
                    bronze.releaseSavepoint(before);
                    handovers.put(table, captured.handover());
                    LOG.info("Pipeline {}: new table {} captured: {}snapshot of {} rows into {} ({})", slot, table,
                            captured.applied().isEmpty() ? "already published; "
                                    : "published (" + String.join("; ", captured.applied()) + "); ",
                            captured.rows(), schema.displayTableOf(table), captured.handover());
                } else if (outcome instanceof LateTableSnapshot.Deferred deferred) {
                    bronze.rollback(before);
                    if (WARNED.add(slot + " " + table + " " + deferred.reason())) {
                        LOG.warn("Pipeline {}: {}", slot, deferred.reason());
                    } else {
                        LOG.info("Pipeline {}: table {} is still not captured (see the earlier warning)", slot, table);
                    }
                }
            }
        } catch (BronzeWriteException e) {
            throw e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the writers of a new table to end", e);
        }
        return handovers;
    }
}
