package io.bronzecdc.spark.exec;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.bronze.TableEventWriter;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.spark.exec.StagedWrite.SequencedEvent;
import io.bronzecdc.spark.exec.StagedWrite.TaskResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The driver's part of a staged write: in the caller's open bronze transaction (the one that also records the
 * pipeline's position), it moves the rows of the successful task attempts from {@code bronze_batch_stage} into the
 * change-log tables, in lsn order, records the events, and deletes the slot's staged rows. Nothing is visible before
 * the caller commits, and a run that dies leaves only staged rows, which are never published and which the next run
 * deletes ({@link #clear}).
 */
public final class StagePublisher {
    private final BronzeSchema schema;
    private final String slot;
    private final String runId;

    public StagePublisher(BronzeSchema schema, String slot, String runId) {
        this.schema = schema;
        this.slot = slot;
        this.runId = runId;
    }

    /** Deletes what earlier runs of the slot staged and never published; in auto-commit mode, before staging. */
    public static void clear(Connection bronze, BronzeSchema schema, String slot) throws SQLException {
        try (PreparedStatement ps = bronze.prepareStatement("DELETE FROM " + schema.quoted("bronze_batch_stage")
                + " WHERE slot_name = ?")) {
            ps.setString(1, slot);
            ps.executeUpdate();
        }
    }

    /**
     * Publishes the staged rows of {@code results}.
     *
     * @param bases each table's {@code max(lsn)} before the run, from which the tasks numbered
     * @return rows published per table
     * @throws ContractViolationException when the staged rows of a table are not exactly lsn base+1..base+n
     */
    public Map<TableId, Long> publish(Connection bronze, List<TaskResult> results, Map<TableId, Long> bases)
            throws SQLException {
        Map<TableId, Long> expected = new TreeMap<>();
        List<Long> attempts = new ArrayList<>();
        List<SequencedEvent> events = new ArrayList<>();
        for (TaskResult result : results) {
            result.rows().forEach((table, rows) -> expected.merge(table, rows, Long::sum));
            if (!result.rows().isEmpty()) {
                attempts.add(result.attempt());
            }
            events.addAll(result.events());
        }
        Long[] attemptIds = attempts.toArray(Long[]::new);
        Map<TableId, Long> published = new TreeMap<>();
        for (Map.Entry<TableId, Long> entry : expected.entrySet()) {
            TableId table = entry.getKey();
            long base = bases.getOrDefault(table, 0L);
            long rows = entry.getValue();
            long inserted;
            try (PreparedStatement ps = bronze.prepareStatement("INSERT INTO " + schema.tableOf(table)
                    + " (lsn, op, full_row, source_lsn, tx_id, commit_ts)"
                    + " SELECT lsn, op, full_row, source_lsn, tx_id, commit_ts FROM "
                    + schema.quoted("bronze_batch_stage") + " WHERE slot_name = ? AND run_id = ?"
                    + " AND bronze_table = ? AND attempt = ANY (?) AND lsn > ? AND lsn <= ? ORDER BY lsn")) {
                ps.setString(1, slot);
                ps.setString(2, runId);
                ps.setString(3, BronzeSchema.logTableName(table));
                ps.setArray(4, bronze.createArrayOf("bigint", attemptIds));
                ps.setLong(5, base);
                ps.setLong(6, base + rows);
                inserted = ps.executeUpdate();
            }
            if (inserted != rows) {
                throw new ContractViolationException("Pipeline " + slot + ": the tasks staged " + rows + " rows of "
                        + schema.displayTableOf(table) + " numbered " + (base + 1) + ".." + (base + rows) + " but "
                        + inserted + " of them are in that range of " + schema.quoted("bronze_batch_stage") + "; the"
                        + " run wrote nothing. Run again; if it repeats, report it with the driver's log");
            }
            published.put(table, inserted);
        }
        TableEventWriter writer = new TableEventWriter(schema);
        events.sort(Comparator.comparingLong(SequencedEvent::ord));
        for (SequencedEvent event : events) {
            writer.write(bronze, CapturedRows.event(event.table(), event.json()), event.follows());
        }
        clear(bronze, schema, slot);
        return published;
    }
}
