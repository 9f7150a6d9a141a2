package io.bronzecdc.bench.jmh;

import io.bronzecdc.model.bronze.BronzeRow;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.SourcePosition;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.sequence.Sequencer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 * Dense bronze lsn for {@value #CHANGES} changes in source order (changes/s): {@link Sequencer}, which both engines
 * run per change (the order check against the table's previous position, the next lsn, the bronze row). The changes
 * come in transactions of 10 and round-robin over {@code tables} tables.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SequencingBenchmark {
    /** Changes per benchmark call; the scores count changes. */
    static final int CHANGES = 1_000;

    /** How many tables the changes belong to (the sequencer keeps one lsn and position per table). */
    @Param({"1", "16"})
    int tables;

    private List<ChangeEvent> changes;

    @Setup
    public void setUp() {
        SampleTable payment = SampleTable.of("payment");
        String fullRow = payment.canonical(payment.rows().get(0), false);
        changes = new ArrayList<>(CHANGES);
        long lsn = 0x1_6B37_4D48L;
        Instant commitTime = Instant.parse("2026-12-01T00:00:00Z");
        for (int k = 0; k < CHANGES; k += 10) {
            long commitLsn = lsn + 0x100L * 11;
            for (int i = 0; i < 10; i++) {
                lsn += 0x100L;
                ChangeMix kind = ChangeMix.of(k + i);
                Op op = kind == ChangeMix.INSERT ? Op.INSERT : kind == ChangeMix.UPDATE ? Op.UPDATE : Op.DELETE;
                changes.add(new ChangeEvent(new TableId("bench", "t" + ((k + i) % tables)), op, fullRow,
                        SourcePosition.streamed(PgLsn.of(commitLsn), PgLsn.of(lsn), 2L * i, 750 + k / 10,
                                commitTime.plusMillis(k))));
            }
            lsn = commitLsn + 0x30L;
        }
    }

    /** @return the bronze rows, lsn 1..n per table */
    @Benchmark
    @OperationsPerInvocation(CHANGES)
    public List<BronzeRow> assign() {
        return Sequencer.startingEmpty().assign(changes);
    }
}
