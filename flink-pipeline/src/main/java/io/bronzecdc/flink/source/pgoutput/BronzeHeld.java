package io.bronzecdc.flink.source.pgoutput;

import io.bronzecdc.flink.sink.JdbcTarget;
import io.bronzecdc.flink.sink.LogProgress;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.SnapshotHandover;
import java.io.Serial;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the pipeline's bronze schema already holds, as the bronze sink recorded it ({@link LogProgress}): the reader
 * asks before taking a snapshot, so that a table bronze holds is resumed from the stream, never snapshotted twice.
 */
final class BronzeHeld implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final JdbcTarget target;
    private final String schema;

    BronzeHeld(JdbcTarget target, String schema) {
        this.target = target;
        this.schema = schema;
    }

    /** What the bronze schema of {@code config} holds. */
    static BronzeHeld of(PipelineConfig config) {
        return new BronzeHeld(JdbcTarget.of(config), config.bronze().schema());
    }

    /**
     * A table bronze holds.
     *
     * @param progress how far it is written
     * @param handover for a table whose snapshot was taken while the stream ran, the transactions that snapshot
     *     holds (their streamed changes must be dropped); null for one of the initial snapshot
     */
    record Table(LogProgress progress, SnapshotHandover handover) {
        @Override
        public String toString() {
            return "lsn " + progress.lastLsn() + " at stream position " + PgLsn.of(progress.commitLsn())
                    + (handover == null ? "" : ", " + handover);
        }
    }

    /** The tables bronze holds, by {@link TableId#toString()}. */
    Map<String, Table> tables() throws SQLException {
        Map<String, Table> held = new LinkedHashMap<>();
        try (Connection c = target.connect()) {
            LogProgress.readAll(c, new BronzeSchema(schema)).forEach((table, progress) -> held.put(table.toString(),
                    new Table(progress, progress.snapshotXids() == null ? null
                            : SnapshotHandover.parse(progress.snapshotXids(), PgLsn.of(progress.snapshotLsn())))));
        }
        return held;
    }
}
