package io.bronzecdc.bench.jmh;

import io.bronzecdc.flink.sequence.SequencedChange;
import io.bronzecdc.flink.sink.CopyRows;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bronze rows as COPY text (rows/s): the Flink engine's sink buffer ({@link CopyRows}), which escapes each
 * {@code full_row} and formats the row's columns, for {@value #ROWS} rows, then hands the buffer over as the sink
 * does before COPY ... FROM STDIN. The {@code full_row}s are the canonical JSON of the sample rows.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CopyRowsBenchmark {
    /** Rows per benchmark call (one COPY); the scores count rows. */
    static final int ROWS = 1_000;

    /** As in {@link CanonicalEncodingBenchmark}. */
    @Param({"payment", "wide-24", "wide-96"})
    String table;

    SequencedChange[] rows;
    private final CopyRows copy = new CopyRows();

    @Setup
    public void setUp() {
        SampleTable sample = SampleTable.of(table);
        rows = new SequencedChange[ROWS];
        long lsn = 0x1_6B37_4D48L;
        long commitMillis = 1_764_547_200_000L;
        for (int k = 0; k < ROWS; k++) {
            lsn += 0x100L;
            String fullRow = sample.canonical(sample.newValues(k), false);
            rows[k] = new SequencedChange(sample.table().toString(), 1 + k, ChangeMix.of(k).op(), fullRow, lsn,
                    750 + k / 10, commitMillis + k / 10, lsn + 0x1000L, k % 10);
        }
    }

    /** @return the COPY data of the rows */
    @Benchmark
    @OperationsPerInvocation(ROWS)
    public byte[] encode() {
        copy.clear();
        for (SequencedChange row : rows) {
            copy.add(row);
        }
        return copy.buffer();
    }
}
