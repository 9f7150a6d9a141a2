package io.bronzecdc.spark.exec;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableEvent;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.PgTypeCatalog;
import io.bronzecdc.model.source.SnapshotHandover;
import io.bronzecdc.model.source.SourceCatalog;
import io.bronzecdc.spark.source.SlotPeek;
import io.bronzecdc.spark.transform.StreamDecoder;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * The slot's stream as one Spark task: pgoutput is a single ordered stream (relations are announced once per
 * decoding session, a change belongs to the open transaction), so one task on an executor peeks the slot up to the
 * run's bound ({@code pg_logical_slot_peek_binary_changes}, which leaves the slot where it is), decodes it with the
 * shared decoder, encodes {@code full_row} and hands the rows on as it reads them, never holding the peek in memory.
 * The same task numbers and stages them as they come ({@link StagedWrite}): the stream is one ordered partition, so
 * numbering it needs no shuffle and no sort, and the COPY into the stage runs in the bronze server while the task
 * decodes on.
 *
 * <p>Reading again gives the same rows: the slot moves only after the bronze commit, and the bound is fixed by the
 * driver, so a task that fails and runs again (or an executor lost after it) yields the same stream and the same
 * {@code ord}s.
 */
public final class StreamTask {
    private StreamTask() {
    }

    /**
     * What the task reads.
     *
     * @param source the source database
     * @param slot the pipeline's slot
     * @param publication the pipeline's publication
     * @param tables the captured tables; changes of other published tables are dropped
     * @param covered what bronze covers: transactions committed before it are skipped
     * @param bound the run's bound: the peek stops there
     * @param handovers the tables this run brought in, with which of their streamed changes their snapshots hold
     */
    public record Spec(Endpoint source, String slot, String publication, List<TableId> tables, long covered,
            long bound, HashMap<TableId, SnapshotHandover> handovers) implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        public Spec {
            tables = new ArrayList<>(tables);
        }
    }

    /** The stream's rows ({@link CapturedRows}), then one {@value CapturedRows#SUMMARY} row, in one partition. */
    public static JavaRDD<InternalRow> rows(SparkSession spark, Spec spec, WorkPlacement.Counters counters) {
        return JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(List.of(0), 1)
                .mapPartitions(new Read(spec, counters));
    }

    /**
     * Opens the stream on this executor: the rows as the caller pulls them. The connections close when the last
     * row was read, or when the running Spark task ends.
     */
    public static Iterator<InternalRow> open(Spec spec, WorkPlacement.Counters counters) throws SQLException {
        return new Rows(spec, counters);
    }

    private record Read(Spec spec, WorkPlacement.Counters counters) implements FlatMapFunction<Iterator<Integer>, InternalRow> {
        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<InternalRow> call(Iterator<Integer> ignored) throws Exception {
            return new Rows(spec, counters);
        }
    }

    /** Reads, decodes and encodes lazily, as the next operator pulls rows. */
    private static final class Rows implements Iterator<InternalRow> {
        private final Spec spec;
        private final WorkPlacement.Counters counters;
        private final Connection catalog;
        private final Connection peek;
        private final SlotPeek.Cursor cursor;
        private final StreamDecoder decoder;
        private final Deque<InternalRow> pending = new ArrayDeque<>();
        private long ord;
        private long messages;
        private boolean done;

        Rows(Spec spec, WorkPlacement.Counters counters) throws SQLException {
            this.spec = spec;
            this.counters = counters;
            var connections = spec.source().connections();
            this.catalog = connections.open("stream task catalog");
            try {
                Map<TableId, io.bronzecdc.model.event.UpdateRule> rules = SourceCatalog.updateRules(catalog,
                        spec.tables());
                this.decoder = new StreamDecoder(rules, new PgTypeCatalog(catalog), PgLsn.of(spec.covered()),
                        spec.handovers());
                this.peek = connections.open("stream task peek");
                this.cursor = SlotPeek.open(peek, spec.slot(), spec.publication(), PgLsn.of(spec.bound()));
            } catch (SQLException | RuntimeException e) {
                catalog.close();
                throw e;
            }
            TaskContext task = TaskContext.get();
            if (task != null) {
                task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) context -> close());
            }
        }

        @Override
        public boolean hasNext() {
            while (pending.isEmpty() && !done) {
                readNext();
            }
            return !pending.isEmpty();
        }

        @Override
        public InternalRow next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return pending.poll();
        }

        private void readNext() {
            try {
                if (!cursor.next()) {
                    finish();
                    return;
                }
                messages++;
                List<ChangeEvent> changes = decoder.decode(cursor.lsn(), cursor.data());
                for (TableEvent event : decoder.events()) {
                    pending.add(CapturedRows.event(event, ord++));
                }
                for (ChangeEvent change : changes) {
                    pending.add(CapturedRows.change(change, ord++));
                }
                counters.encoded().add(changes.size());
            } catch (SQLException e) {
                close();
                throw new IllegalStateException("reading slot " + spec.slot() + " up to " + PgLsn.of(spec.bound())
                        + " failed: " + e.getMessage(), e);
            }
        }

        private void finish() {
            done = true;
            close();
            if (decoder.inTransaction()) {
                throw new ContractViolationException("Pipeline " + spec.slot() + ": the peek up to "
                        + PgLsn.of(spec.bound()) + " ended inside a transaction; the server sends whole transactions"
                        + " only, so the stream was cut off");
            }
            TaskFault.at(TaskFault.Point.READ);
            pending.add(CapturedRows.summary(decoder.reached(), messages, decoder.skipped(),
                    decoder.heldBySnapshots()));
        }

        private void close() {
            try {
                cursor.close();
            } catch (SQLException | RuntimeException e) {
                // the connection closes below; nothing was written by this task
            }
            closeQuietly(peek);
            closeQuietly(catalog);
        }

        private static void closeQuietly(Connection c) {
            try {
                if (c != null && !c.isClosed()) {
                    c.close();
                }
            } catch (SQLException e) {
                // a read-only connection: nothing to lose
            }
        }
    }
}
