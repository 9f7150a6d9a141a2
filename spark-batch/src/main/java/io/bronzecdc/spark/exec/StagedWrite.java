package io.bronzecdc.spark.exec;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Sequencing and writing as Spark work. The captured rows are numbered with a window per table: a table's lsn
 * continue from its current {@code max(lsn)} (broadcast to the tasks) in {@code ord} order, and an event takes the
 * lsn of the table's last change before it. Each task then COPYs its sequenced rows (binary format: no text
 * escaping, jsonb sent as its text) into {@code <schema>.bronze_batch_stage} in a transaction of its own, marked
 * with the run and its task attempt, and reports what it staged ({@link TaskResult}). The driver publishes the
 * attempts Spark reported as successful ({@link StagePublisher}): a failed, retried or speculative attempt's rows
 * stay unpublished, so a task may run any number of times.
 */
public final class StagedWrite {
    private static final String LSN = "lsn";
    private static final String BASE = "base";
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
     * @param attempt the task attempt ({@code TaskContext.taskAttemptId()}), unique in the application
     * @param rows rows staged per table
     * @param events the events it saw, each with the lsn of its table's last change before it
     * @param summary the stream task's summary, when the task carried it
     */
    public record TaskResult(long attempt, LinkedHashMap<TableId, Long> rows, ArrayList<SequencedEvent> events,
            Summary summary) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** An event with its place: after lsn {@code follows} of its table, at {@code ord} in the stream. */
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
     * Sequences {@code captured} and stages it; returns one result per partition, from the attempt Spark kept.
     *
     * @param bases each captured table's current {@code max(lsn)} (0 when empty)
     */
    public static List<TaskResult> run(SparkSession spark, Dataset<Row> captured, Map<TableId, Long> bases,
            Target target, WorkPlacement.Counters counters) {
        return sequence(spark, captured, bases).javaRDD().mapPartitions(new Stage(target, counters)).collect();
    }

    /** The captured rows with their {@code lsn} column. */
    static Dataset<Row> sequence(SparkSession spark, Dataset<Row> captured, Map<TableId, Long> bases) {
        List<Row> baseRows = new ArrayList<>();
        bases.forEach((table, base) -> baseRows.add(RowFactory.create(table.schema(), table.name(), base)));
        Dataset<Row> baseTable = spark.createDataFrame(baseRows, new StructType()
                .add("base_schema", DataTypes.StringType, false)
                .add("base_name", DataTypes.StringType, false)
                .add(BASE, DataTypes.LongType, false));
        Column sameTable = captured.col(CapturedRows.TABLE_SCHEMA).equalTo(baseTable.col("base_schema"))
                .and(captured.col(CapturedRows.TABLE_NAME).equalTo(baseTable.col("base_name")));
        WindowSpec upToHere = Window.partitionBy(col(CapturedRows.TABLE_SCHEMA), col(CapturedRows.TABLE_NAME))
                .orderBy(col(CapturedRows.ORD)).rowsBetween(Window.unboundedPreceding(), Window.currentRow());
        Column changesSoFar = sum(when(col(CapturedRows.KIND).equalTo(CapturedRows.CHANGE), lit(1L))
                .otherwise(lit(0L))).over(upToHere);
        List<Column> columns = new ArrayList<>();
        for (String name : CapturedRows.SCHEMA.fieldNames()) {
            columns.add(captured.col(name));
        }
        columns.add(coalesce(baseTable.col(BASE), lit(0L)).plus(changesSoFar).as(LSN));
        // As many write tasks as tables, up to twice the cluster's cores: each table is numbered by one task anyway,
        // and a streaming query's batches run without adaptive execution, which would otherwise leave the default
        // 200 shuffle partitions, mostly empty.
        int partitions = Math.max(1, Math.min(bases.size() + 1, 2 * spark.sparkContext().defaultParallelism()));
        return captured.repartition(partitions, col(CapturedRows.TABLE_SCHEMA), col(CapturedRows.TABLE_NAME))
                .join(broadcast(baseTable), sameTable, "left").select(columns.toArray(Column[]::new));
    }

    /** A task's write: COPY its change rows into the stage, commit, report. */
    private record Stage(Target target, WorkPlacement.Counters counters)
            implements FlatMapFunction<Iterator<Row>, TaskResult> {
        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<TaskResult> call(Iterator<Row> rows) throws Exception {
            long attempt = TaskContext.get().taskAttemptId();
            LinkedHashMap<TableId, Long> staged = new LinkedHashMap<>();
            ArrayList<SequencedEvent> events = new ArrayList<>();
            Summary summary = null;
            Connection connection = null;
            CopyIn copy = null;
            Buffer buffer = new Buffer();
            try {
                while (rows.hasNext()) {
                    Row row = rows.next();
                    String kind = row.getString(0);
                    if (CapturedRows.SUMMARY.equals(kind)) {
                        summary = new Summary(row.getLong(6), row.getLong(3), row.getLong(7), row.getLong(8));
                        continue;
                    }
                    TableId table = new TableId(row.getString(1), row.getString(2));
                    long lsn = row.getLong(9);
                    if (CapturedRows.EVENT.equals(kind)) {
                        events.add(new SequencedEvent(table, row.getString(5), lsn, row.getLong(3)));
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
                    buffer.tuple(target, attempt, table, lsn, row);
                    staged.merge(table, 1L, Long::sum);
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
            long total = staged.values().stream().mapToLong(Long::longValue).sum();
            counters.staged().add(total);
            return List.of(new TaskResult(attempt, staged, events, summary)).iterator();
        }
    }

    /** The binary COPY stream of one task, in a reused buffer. */
    private static final class Buffer {
        private final Bytes bytes = new Bytes();
        private final DataOutputStream out = new DataOutputStream(bytes);

        void write(byte[] data) throws IOException {
            out.write(data);
        }

        int size() {
            return bytes.size();
        }

        void tuple(Target target, long attempt, TableId table, long lsn, Row row) throws IOException {
            out.writeShort(10);
            text(target.slot());
            text(target.runId());
            int8(attempt);
            text(BronzeSchema.logTableName(table));
            int8(lsn);
            text(row.getString(4));
            byte[] json = row.getString(5).getBytes(StandardCharsets.UTF_8);
            out.writeInt(json.length + 1);
            out.writeByte(1); // jsonb's binary format: version 1, then the text
            out.write(json);
            int8(row.getLong(6));
            if (row.isNullAt(7)) {
                out.writeInt(-1);
            } else {
                int8(row.getLong(7));
            }
            if (row.isNullAt(8)) {
                out.writeInt(-1);
            } else {
                int8(row.getLong(8) - POSTGRES_EPOCH_MICROS);
            }
        }

        private void text(String value) throws IOException {
            byte[] data = value.getBytes(StandardCharsets.UTF_8);
            out.writeInt(data.length);
            out.write(data);
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
