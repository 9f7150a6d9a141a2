package io.bronzecdc.spark.preflight;

import io.bronzecdc.model.bronze.TargetPreflight;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.source.SourceInspection;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.SourcePreflight;
import io.bronzecdc.spark.source.SlotState;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before a run reads or writes anything, that the source can feed the batch pipeline: logical WAL, a role
 * allowed to replicate, the captured tables present with REPLICA IDENTITY FULL, the publication publishing them through
 * their partition root, and the pipeline's slot (when it exists) a pgoutput slot of this database that nobody else is
 * using; and that the role may create the bronze schema where bronze is written. Every problem is reported at once,
 * each with its fix.
 */
public final class BatchPreflight {
    private static final Logger LOG = LoggerFactory.getLogger(BatchPreflight.class);
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
        return run(c, c);
    }

    /**
     * Runs every check on both sides: the source and the database bronze is written to (with a separate target,
     * each problem names its side).
     *
     * @param source a connection to the source database
     * @param target a connection to the database bronze is written to; {@code source} itself without a target
     * @return the pipeline's slot, or empty when it does not exist yet (the first run creates it)
     * @throws PreflightException listing every problem
     */
    public Optional<SlotState> run(Connection source, Connection target) throws SQLException {
        SourceInspection inspection = new SourcePreflight(config, tables).inspect(source);
        List<String> problems = TargetPreflight.bySide(config, inspection.problemsWithoutFixing(""),
                TargetPreflight.problems(target, config));
        inspection.warnings(false, "have a superuser run the script io/bronzecdc/model/source/"
                + "schema-change-trigger.sql of the bronze-cdc jar, or start the Flink job once with --init as a"
                + " superuser").forEach(warning -> LOG.warn("Pipeline {}: {}", config.source().slotName(), warning));
        Optional<SlotState> slot = SlotState.read(source, config.source().slotName());
        if (!problems.isEmpty()) {
            throw new PreflightException(config.source().slotName(), problems);
        }
        return slot;
    }
}
