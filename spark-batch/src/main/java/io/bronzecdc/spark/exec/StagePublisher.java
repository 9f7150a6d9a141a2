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
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The driver's part of a staged write: in the caller's open bronze transaction (the one that also records the
 * pipeline's position), it places the successful task attempts in partition order ({@link Sequencing#place}), moves
 * their rows from {@code bronze_batch_stage} into the change-log tables with their numbers shifted by their
 * offsets, in lsn order, records the events, and deletes the slot's staged rows. Nothing is visible before
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
     * @param results one per partition, from the attempts Spark kept
     * @param bases each table's {@code max(lsn)} before the run
     * @return rows published per table
     * @throws ContractViolationException when the staged rows of a task attempt are not exactly what it reported
     *     (with the change-log table's primary key on lsn, the rows published are then exactly base+1..base+n)
     */
    public Map<TableId, Long> publish(Connection bronze, List<TaskResult> results, Map<TableId, Long> bases)
            throws SQLException {
        Sequencing.Placement placement = Sequencing.place(results.stream().map(TaskResult::counted).toList(), bases);
        List<TaskResult> ordered = new ArrayList<>(results);
        ordered.sort(Comparator.comparingInt(TaskResult::partition));
        Map<TableId, Long> published = new TreeMap<>();
        Set<TableId> tables = new TreeSet<>();
        ordered.forEach(result -> tables.addAll(result.rows().keySet()));
        // One statement per table and task attempt, in partition order: each reads one attempt's rows by the
        // stage's index and sorts only them.
        String insert = "INSERT INTO %s (lsn, op, full_row, source_lsn, tx_id, commit_ts)"
                + " SELECT lsn + ?, op, full_row, source_lsn, tx_id, commit_ts FROM "
                + schema.quoted("bronze_batch_stage") + " WHERE slot_name = ? AND run_id = ? AND bronze_table = ?"
                + " AND attempt = ? AND lsn BETWEEN 1 AND ? ORDER BY lsn";
        for (TableId table : tables) {
            long total = 0;
            try (PreparedStatement ps = bronze.prepareStatement(String.format(insert, schema.tableOf(table)))) {
                for (TaskResult result : ordered) {
                    long rows = result.rows().getOrDefault(table, 0L);
                    if (rows == 0) {
                        continue;
                    }
                    long offset = placement.offset(result.partition(), table);
                    ps.setLong(1, offset);
                    ps.setString(2, slot);
                    ps.setString(3, runId);
                    ps.setString(4, BronzeSchema.logTableName(table));
                    ps.setLong(5, result.attempt());
                    ps.setLong(6, rows);
                    long inserted = ps.executeUpdate();
                    if (inserted != rows) {
                        throw new ContractViolationException("Pipeline " + slot + ": task attempt "
                                + result.attempt() + " (partition " + result.partition() + ") staged " + rows
                                + " rows of " + schema.displayTableOf(table) + " numbered 1.." + rows + " but "
                                + inserted + " of them are in that range of " + schema.quoted("bronze_batch_stage")
                                + " (to become lsn " + (offset + 1) + ".." + (offset + rows) + "); the run wrote"
                                + " nothing. Run again; if it repeats, report it with the driver's log");
                    }
                    total += inserted;
                }
            }
            published.put(table, total);
        }
        List<SequencedEvent> events = new ArrayList<>();
        for (TaskResult result : ordered) {
            for (SequencedEvent event : result.events()) {
                events.add(new SequencedEvent(event.table(), event.json(),
                        placement.offset(result.partition(), event.table()) + event.follows(), event.ord()));
            }
        }
        TableEventWriter writer = new TableEventWriter(schema);
        for (SequencedEvent event : events) { // partition order, then the stream's order in each
            writer.write(bronze, CapturedRows.event(event.table(), event.json()), event.follows());
        }
        clear(bronze, schema, slot);
        return published;
    }
}
