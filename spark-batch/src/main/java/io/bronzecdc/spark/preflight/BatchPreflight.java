package io.bronzecdc.spark.preflight;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.source.SourceInspection;
import io.bronzecdc.model.source.SourcePreflight;
import io.bronzecdc.spark.source.SlotState;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before a run reads or writes anything, that the source can feed the batch pipeline: logical WAL, a
 * role allowed to replicate, the captured tables present with REPLICA IDENTITY FULL, the publication publishing
 * them through their partition root, and the pipeline's slot (when it exists) a pgoutput slot of this database
 * that nobody else is using. Every problem is reported at once, each with its fix.
 */
public final class BatchPreflight {
    private static final Logger LOG = LoggerFactory.getLogger(BatchPreflight.class);
    private final PipelineConfig config;

    public BatchPreflight(PipelineConfig config) {
        this.config = config;
    }

    /**
     * Runs every check.
     *
     * @return the pipeline's slot, or empty when it does not exist yet (the first run creates it)
     * @throws PreflightException listing every problem
     */
    public Optional<SlotState> run(Connection c) throws SQLException {
        SourceInspection inspection = new SourcePreflight(config).inspect(c);
        List<String> problems = inspection.problemsWithoutFixing("");
        inspection.warnings(false, "have a superuser run the script io/bronzecdc/model/source/"
                + "schema-change-trigger.sql of the bronze-cdc jar, or start the Flink job once with --init as a"
                + " superuser").forEach(warning -> LOG.warn("Pipeline {}: {}", config.source().slotName(), warning));
        Optional<SlotState> slot = SlotState.read(c, config.source().slotName());
        if (!problems.isEmpty()) {
            throw new PreflightException(config.source().slotName(), problems);
        }
        return slot;
    }
}
