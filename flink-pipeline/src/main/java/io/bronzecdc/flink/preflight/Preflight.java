package io.bronzecdc.flink.preflight;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.SourcePreflight;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks, before the job writes anything, that the source database can feed this pipeline: the checks every
 * engine shares ({@link SourcePreflight}: logical WAL, replication role, tables with REPLICA IDENTITY FULL, the
 * publication, the slot) plus what the streaming job needs on top: room for its prepared transactions and for the
 * snapshot readers' temporary slots, and column types it carries exactly ({@link FlinkColumnTypes}). Every
 * problem is reported at once, each with its fix.
 *
 * <p>With {@code init}, the fixable ones are fixed instead: REPLICA IDENTITY FULL is set and the publication is
 * created.
 */
public final class Preflight {
    private final PipelineConfig config;
    private final int parallelism;

    /**
     * @param parallelism the job's parallelism: each snapshot reader holds a temporary slot
     */
    public Preflight(PipelineConfig config, int parallelism) {
        this.config = config;
        this.parallelism = parallelism;
    }

    /**
     * Runs every check.
     *
     * @param init fix what can be fixed (replica identity, publication) instead of reporting it
     * @throws PreflightException listing every problem that remains
     */
    public void run(Connection c, boolean init) throws SQLException {
        List<String> problems = new SourcePreflight(config, " (or start with --init)").check(c, init);
        List<TableId> present = new ArrayList<>();
        for (TableId table : config.tables()) {
            if (single(c, "SELECT to_regclass('" + table.qualifiedName() + "')::text") != null) {
                present.add(table);
            }
        }
        problems.addAll(FlinkColumnTypes.refusals(c, present));
        String preparedTransactions = single(c, "SELECT current_setting('max_prepared_transactions')");
        if (Integer.parseInt(preparedTransactions) < parallelism + 1) {
            problems.add("max_prepared_transactions is " + preparedTransactions + " but the exactly-once sink"
                    + " prepares one transaction per subtask and checkpoint in flight: set it to at least "
                    + 2 * (parallelism + 1) + " and restart the server");
        }
        boolean slotExists = single(c, "SELECT slot_name FROM pg_replication_slots WHERE slot_name = '"
                + config.source().slotName() + "'") != null;
        int free = Integer.parseInt(single(c, "SELECT current_setting('max_replication_slots')::int"
                + " - (SELECT count(*) FROM pg_replication_slots)"));
        int needed = parallelism + (slotExists ? 0 : 1);
        if (free < needed) {
            problems.add("only " + free + " replication slots are free but the job needs " + needed
                    + " (its slot plus a temporary one per snapshot reader): raise max_replication_slots or drop"
                    + " unused slots");
        }
        if (!problems.isEmpty()) {
            throw new PreflightException(config.source().database(), problems);
        }
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
