package io.bronzecdc.spark.exec;

import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.source.ExportedSnapshot;
import io.bronzecdc.model.source.SnapshotChunk;
import io.bronzecdc.model.source.SnapshotReader;
import java.io.Serializable;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;

/**
 * The snapshot as Spark tasks: one task per {@link SnapshotChunk} (a range of a table's heap pages), each on its own
 * connection inside the slot's exported snapshot ({@code SET TRANSACTION SNAPSHOT}), so the tasks together read
 * exactly the rows the slot's consistent point holds, spread over the cluster. Each task encodes its rows with the
 * shared codec, so {@code full_row} is built on the executors too.
 *
 * <p>The driver keeps the exporting replication connection open until the run's tasks are done: the snapshot
 * lives only as long as it. A task that fails and runs again reads its chunk again in the same snapshot, so it
 * yields the same rows.
 */
public final class SnapshotTasks {
    private SnapshotTasks() {
    }

    /**
     * The rows of {@code chunks} ({@link CapturedRows}, kind {@value CapturedRows#CHANGE}), one partition per chunk,
     * in the list's order (which is the order of the table's lsn, {@link Sequencing}); {@code ord} is the row's place
     * in its chunk.
     */
    public static JavaRDD<InternalRow> rows(SparkSession spark, Endpoint source, String snapshotName, PgLsn consistentPoint,
            List<SnapshotChunk> chunks, WorkPlacement.Counters counters) {
        List<Indexed> indexed = IntStream.range(0, chunks.size()).mapToObj(i -> new Indexed(i, chunks.get(i)))
                .toList();
        return JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(indexed, Math.max(1, indexed.size()))
                .mapPartitions(new ReadChunks(source, snapshotName, consistentPoint.asLong(), counters));
    }

    /** A chunk and its index in the run's plan. */
    record Indexed(int index, SnapshotChunk chunk) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** A task's work: read and encode its chunks. */
    private record ReadChunks(Endpoint source, String snapshotName, long consistentPoint,
            WorkPlacement.Counters counters) implements FlatMapFunction<Iterator<Indexed>, InternalRow> {
        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<InternalRow> call(Iterator<Indexed> chunks) throws Exception {
            List<InternalRow> rows = new ArrayList<>();
            if (!chunks.hasNext()) {
                return rows.iterator();
            }
            try (Connection c = source.connections().open("snapshot task")) {
                ExportedSnapshot.importInto(c, snapshotName);
                while (chunks.hasNext()) {
                    SnapshotReader.read(c, chunks.next().chunk(), PgLsn.of(consistentPoint),
                            change -> rows.add(CapturedRows.change(change, rows.size())));
                }
                c.rollback();
            }
            TaskFault.at(TaskFault.Point.READ);
            counters.snapshotRead().add(rows.size());
            counters.encoded().add(rows.size());
            return rows.iterator();
        }
    }
}
