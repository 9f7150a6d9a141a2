package io.bronzecdc.flink.preflight;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.SourceConnector;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The source a pipeline reads its slot with, as its bronze schema records it ({@code bronze_pipeline_source}, one
 * row per slot): written at the first start, changed only by a switch ({@code --switch-source}). Each source keeps
 * its position in checkpointed state of its own, so a restore with the other {@code source.connector} would either
 * fail on state Flink cannot map or, with that state dropped, start the other source without a position; the
 * preflight refuses it and names the switch path instead.
 *
 * @param connector the recorded source
 * @param since when it was recorded, as text
 * @param switchedFrom the savepoint or checkpoint the last switch resumed from, if the pipeline was switched
 */
public record RecordedSource(SourceConnector connector, String since, String switchedFrom) {
    static final String TABLE = "bronze_pipeline_source";

    /** What {@code schema} records for {@code slot}; empty before the first start (or before migration V6). */
    public static Optional<RecordedSource> read(Connection c, BronzeSchema schema, String slot) throws SQLException {
        try (PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            exists.setString(1, schema.quoted(TABLE));
            try (ResultSet rs = exists.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return Optional.empty();
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT connector, since::text, switched_from FROM "
                + schema.quoted(TABLE) + " WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new RecordedSource(SourceConnector.parse(rs.getString(1)), rs.getString(2),
                        rs.getString(3)));
            }
        }
    }

    /**
     * Why this start must not go ahead with {@code config.connector()}, as preflight problems.
     *
     * @param recorded what the bronze schema records for the pipeline's slot
     * @param switchFrom the savepoint or checkpoint a {@code --switch-source} start resumes from; null without it
     * @param restoresState whether the job restores a savepoint or checkpoint
     */
    static List<String> problems(PipelineConfig config, Optional<RecordedSource> recorded, String switchFrom,
            boolean restoresState) {
        List<String> problems = new ArrayList<>();
        String slot = config.source().slotName();
        SourceConnector configured = config.connector();
        String schema = config.bronze().schema();
        if (switchFrom != null) {
            if (!restoresState) {
                problems.add("--switch-source resumes pipeline " + slot + " from the savepoint (or last checkpoint)"
                        + " its previous source stopped at, but the job starts without state: start it from that"
                        + " savepoint (flink run -s <savepoint> ... --switch-source, or --local-state DIR holding it)");
            } else if (recorded.isPresent() && recorded.get().connector() == configured
                    && !switchFrom.equals(recorded.get().switchedFrom())) {
                problems.add("--switch-source: bronze schema " + schema + " records that pipeline " + slot
                        + " already reads with source.connector: " + configured + " (since " + recorded.get().since()
                        + "), so there is nothing to switch; a checkpoint or savepoint of this source resumes"
                        + " without --switch-source. Start it again without --switch-source");
            }
            return problems;
        }
        if (recorded.isPresent() && recorded.get().connector() != configured) {
            RecordedSource r = recorded.get();
            problems.add("bronze schema " + schema + " records that pipeline " + slot + " reads its slot with"
                    + " source.connector: " + r.connector() + " (since " + r.since() + "), but the config says "
                    + configured + ". Each source keeps its position in its own checkpointed state, so "
                    + configured + " cannot continue this pipeline as it is. Set source.connector: " + r.connector()
                    + " again, or switch: stop the job with a savepoint (flink stop --savepointPath <dir> <job id>;"
                    + " or cancel it and use its last retained checkpoint), set source.connector: " + configured
                    + " and start the job from that savepoint with --switch-source (README: Switching the source)");
        }
        return problems;
    }

    /**
     * Records {@code connector} for the pipeline's slot: at a first start (or the first start of a pipeline created
     * before the record existed) when nothing is recorded; at a switch ({@code switchFrom} not null) replacing the
     * record. The schema must be migrated.
     */
    public static void record(Connection c, BronzeSchema schema, String slot, SourceConnector connector,
            String switchFrom) throws SQLException {
        String sql = switchFrom == null
                ? "INSERT INTO " + schema.quoted(TABLE) + " (slot_name, connector) VALUES (?, ?)"
                        + " ON CONFLICT (slot_name) DO NOTHING"
                : "INSERT INTO " + schema.quoted(TABLE) + " AS r (slot_name, connector, switched_from) VALUES (?, ?, ?)"
                        + " ON CONFLICT (slot_name) DO UPDATE SET previous_connector = CASE WHEN r.connector"
                        + " = excluded.connector THEN r.previous_connector ELSE r.connector END,"
                        + " connector = excluded.connector, switched_from = excluded.switched_from, since = now()";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, slot);
            ps.setString(2, connector.value());
            if (switchFrom != null) {
                ps.setString(3, switchFrom);
            }
            ps.executeUpdate();
        }
    }
}
