package io.bronzecdc.spark.preflight;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.SourcePreflight;
import io.bronzecdc.spark.source.SlotState;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Checks, before a run reads or writes anything, that the source can feed the batch pipeline: logical WAL, a
 * role allowed to replicate, the captured tables present with REPLICA IDENTITY FULL, the publication publishing
 * them through their partition root, and the pipeline's slot (when it exists) a pgoutput slot of this database
 * that nobody else is using. Every problem is reported at once, each with its fix.
 */
public final class BatchPreflight {
    private final PipelineConfig config;
    private final List<TableId> tables;

    /** @param tables the captured tables, resolved from the config's patterns */
    public BatchPreflight(PipelineConfig config, List<TableId> tables) {
        this.config = config;
        this.tables = List.copyOf(tables);
    }

    /**
     * Runs every check.
     *
     * @return the pipeline's slot, or empty when it does not exist yet (the first run creates it)
     * @throws PreflightException listing every problem
     */
    public Optional<SlotState> run(Connection c) throws SQLException {
        List<String> problems = new SourcePreflight(config, tables).inspect(c).problemsWithoutFixing("");
        Optional<SlotState> slot = SlotState.read(c, config.source().slotName());
        if (!problems.isEmpty()) {
            throw new PreflightException(config.source().slotName(), problems);
        }
        return slot;
    }
}
