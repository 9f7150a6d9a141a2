package io.bronzecdc.spark.exec;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.unsafe.types.UTF8String;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Sequencing and writing as Spark work, in the tasks that read the rows: no shuffle and no sort. Each task numbers
 * its change rows per table 1, 2, ... in the order it reads them ({@link Sequencing.Local}), and an event takes the
 * number of its table's last change before it; it COPYs its rows with these numbers (binary format: no text
 * escaping, jsonb sent as its text) into {@code <schema>.bronze_batch_stage} in a transaction of its own, marked with
 * the run and its task attempt, and reports what it staged per table ({@link TaskResult}). The driver places the
 * tasks in partition order on each table's current {@code max(lsn)} ({@link Sequencing#place}) and publishes the
 * attempts Spark reported as successful, their numbers shifted by their offsets ({@link StagePublisher}): a failed,
 * retried or speculative attempt's rows stay unpublished, so a task may run any number of times.
 */
public final class StagedWrite {
    private static final int FLUSH_BYTES = 1 << 20;
    /** Microseconds from the Unix epoch to PostgreSQL's, 2000-01-01. */
    private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;
    private static final byte[] HEADER = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0, 0, 0, 0, 0,
        0, 0, 0, 0};

    private StagedWrite() {
    }

    /**
     * What one successful task attempt staged and found.
     *
     * @param partition the task's partition: its place in the run's order
     * @param attempt the task attempt ({@code TaskContext.taskAttemptId()}), unique in the application
     * @param rows rows staged per table, numbered 1..n per table in the stage
     * @param events the events it saw, each after the task's own number of its table's last change before it
     * @param summary the stream task's summary, when the task carried it
     */
    public record TaskResult(int partition, long attempt, LinkedHashMap<TableId, Long> rows,
            ArrayList<SequencedEvent> events, Summary summary) implements Serializable {
        private static final long serialVersionUID = 1L;

        Sequencing.Counted counted() {
            return new Sequencing.Counted(partition, rows);
        }
    }

    /** An event with its place: after number {@code follows} of its table in its task, at {@code ord} there. */
    public record SequencedEvent(TableId table, String json, long follows, long ord) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** What the stream task read ({@link CapturedRows#summary}). */
    public record Summary(long reached, long messages, long skipped, long heldBySnapshots) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** Where the tasks stage: the bronze database, schema, slot and this run's id. */
    public record Target(Endpoint bronze, String schema, String slot, String runId) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * Numbers and stages {@code captured} in its own tasks; returns one result per partition, from the attempt Spark
     * kept, in partition order.
     */
    public static List<TaskResult> run(JavaRDD<InternalRow> captured, Target target,
            WorkPlacement.Counters counters) {
        return captured.mapPartitions(new Stage(target, counters)).collect();
    }

    /** A task's write: number and COPY its change rows into the stage, commit, report. */
    private record Stage(Target target, WorkPlacement.Counters counters)
            implements FlatMapFunction<Iterator<InternalRow>, TaskResult> {
        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<TaskResult> call(Iterator<InternalRow> rows) throws Exception {
            TaskContext task = TaskContext.get();
            long attempt = task.taskAttemptId();
            Sequencing.Local numbers = new Sequencing.Local();
            ArrayList<SequencedEvent> events = new ArrayList<>();
            Tables tables = new Tables();
            Summary summary = null;
            Connection connection = null;
            CopyIn copy = null;
            Buffer buffer = new Buffer(target, attempt);
            try {
                while (rows.hasNext()) {
                    InternalRow row = rows.next();
                    UTF8String kind = row.getUTF8String(CapturedRows.KIND_AT);
                    if (CapturedRows.SUMMARY_KIND.equals(kind)) {
                        summary = new Summary(row.getLong(CapturedRows.SOURCE_LSN_AT), row.getLong(CapturedRows.ORD_AT),
                                row.getLong(CapturedRows.TX_ID_AT), row.getLong(CapturedRows.COMMIT_MICROS_AT));
                        continue;
                    }
                    Tables.Known table = tables.of(row.getUTF8String(CapturedRows.TABLE_SCHEMA_AT),
                            row.getUTF8String(CapturedRows.TABLE_NAME_AT));
                    if (CapturedRows.EVENT_KIND.equals(kind)) {
                        events.add(new SequencedEvent(table.id(), row.getUTF8String(CapturedRows.FULL_ROW_AT)
                                .toString(), numbers.current(table.id()), row.getLong(CapturedRows.ORD_AT)));
                        continue;
                    }
                    if (copy == null) {
                        connection = target.bronze().connections().open("stage task");
                        connection.setAutoCommit(false);
                        copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY "
                                + new BronzeSchema(target.schema()).quoted("bronze_batch_stage")
                                + " (slot_name, run_id, attempt, bronze_table, lsn, op, full_row, source_lsn, tx_id,"
                                + " commit_ts) FROM STDIN (FORMAT binary)");
                        buffer.write(HEADER);
                    }
                    buffer.tuple(table.bronzeTable(), numbers.next(table.id()), row);
                    if (buffer.size() >= FLUSH_BYTES) {
                        buffer.flushTo(copy);
                    }
                }
                if (copy != null) {
                    buffer.out.writeShort(-1);
                    buffer.flushTo(copy);
                    copy.endCopy();
                    connection.commit();
                    TaskFault.at(TaskFault.Point.STAGED);
                }
            } finally {
                if (copy != null && copy.isActive()) {
                    copy.cancelCopy();
                }
                if (connection != null) {
                    connection.close();
                }
            }
            LinkedHashMap<TableId, Long> staged = numbers.counts();
            long total = staged.values().stream().mapToLong(Long::longValue).sum();
            counters.staged().add(total);
            return List.of(new TaskResult(task.partitionId(), attempt, staged, events, summary)).iterator();
        }
    }

    /** The tables a task met, by their schema and name as the rows carry them, with their stage name's bytes. */
    private static final class Tables {
        private final Map<UTF8String, Map<UTF8String, Known>> bySchema = new HashMap<>();

        record Known(TableId id, byte[] bronzeTable) {
        }

        Known of(UTF8String schema, UTF8String name) {
            Map<UTF8String, Known> names = bySchema.get(schema);
            if (names == null) {
                names = new HashMap<>();
                bySchema.put(schema.copy(), names);
            }
            Known known = names.get(name);
            if (known == null) {
                TableId id = new TableId(schema.toString(), name.toString());
                known = new Known(id, BronzeSchema.logTableName(id).getBytes(StandardCharsets.UTF_8));
                names.put(name.copy(), known);
            }
            return known;
        }
    }

    /** The binary COPY stream of one task, in a reused buffer. */
    private static final class Buffer {
        private final Bytes bytes = new Bytes();
        private final DataOutputStream out = new DataOutputStream(bytes);
        private final byte[] slot;
        private final byte[] runId;
        private final long attempt;

        Buffer(Target target, long attempt) {
            this.slot = target.slot().getBytes(StandardCharsets.UTF_8);
            this.runId = target.runId().getBytes(StandardCharsets.UTF_8);
            this.attempt = attempt;
        }

        void write(byte[] data) throws IOException {
            out.write(data);
        }

        int size() {
            return bytes.size();
        }

        void tuple(byte[] bronzeTable, long lsn, InternalRow row) throws IOException {
            out.writeShort(10);
            text(slot);
            text(runId);
            int8(attempt);
            text(bronzeTable);
            int8(lsn);
            text(row.getUTF8String(CapturedRows.OP_AT));
            UTF8String json = row.getUTF8String(CapturedRows.FULL_ROW_AT);
            out.writeInt(json.numBytes() + 1);
            out.writeByte(1); // jsonb's binary format: version 1, then the text
            json.writeTo(out);
            int8(row.getLong(CapturedRows.SOURCE_LSN_AT));
            if (row.isNullAt(CapturedRows.TX_ID_AT)) {
                out.writeInt(-1);
            } else {
                int8(row.getLong(CapturedRows.TX_ID_AT));
            }
            if (row.isNullAt(CapturedRows.COMMIT_MICROS_AT)) {
                out.writeInt(-1);
            } else {
                int8(row.getLong(CapturedRows.COMMIT_MICROS_AT) - POSTGRES_EPOCH_MICROS);
            }
        }

        private void text(byte[] data) throws IOException {
            out.writeInt(data.length);
            out.write(data);
        }

        private void text(UTF8String value) throws IOException {
            out.writeInt(value.numBytes());
            value.writeTo(out);
        }

        private void int8(long value) throws IOException {
            out.writeInt(8);
            out.writeLong(value);
        }

        void flushTo(CopyIn copy) throws SQLException {
            copy.writeToCopy(bytes.raw(), 0, bytes.size());
            bytes.reset();
        }
    }

    /** A byte buffer whose array is written out without a copy. */
    private static final class Bytes extends ByteArrayOutputStream {
        Bytes() {
            super(FLUSH_BYTES + (FLUSH_BYTES >> 2));
        }

        byte[] raw() {
            return buf;
        }
    }
}
