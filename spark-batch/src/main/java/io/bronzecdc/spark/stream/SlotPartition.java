package io.bronzecdc.spark.stream;

import io.bronzecdc.spark.exec.CapturedRows;
import io.bronzecdc.spark.exec.StreamTask;
import io.bronzecdc.spark.exec.WorkPlacement;
import java.io.IOException;
import java.util.Iterator;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;

/** A batch's single partition: the slot's stream between two offsets, read by one task. */
record SlotPartition(StreamTask.Spec spec) implements InputPartition {
    private static final long serialVersionUID = 1L;

    /** Opens the stream on the executor, in {@link CapturedRows}' schema. */
    record ReaderFactory(WorkPlacement.Counters counters) implements PartitionReaderFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public PartitionReader<InternalRow> createReader(InputPartition partition) {
            Iterator<InternalRow> rows;
            try {
                rows = StreamTask.open(((SlotPartition) partition).spec(), counters);
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("cannot open slot " + ((SlotPartition) partition).spec().slot()
                        + ": " + e.getMessage(), e);
            }
            return new PartitionReader<>() {
                private InternalRow current;

                @Override
                public boolean next() {
                    if (!rows.hasNext()) {
                        return false;
                    }
                    current = rows.next();
                    return true;
                }

                @Override
                public InternalRow get() {
                    return current;
                }

                @Override
                public void close() throws IOException {
                    // the stream closes its connections at its end and when the task ends
                }
            };
        }
    }
}
