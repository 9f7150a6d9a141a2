package io.bronzecdc.bench.jmh;

import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.UpdateRule;
import io.bronzecdc.model.pgoutput.PgOutputDecoder;
import io.bronzecdc.model.pgoutput.PgOutputParser;
import java.nio.ByteBuffer;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The pgoutput stream of {@value #CHANGES} changes (BEGIN, INSERT/UPDATE/DELETE with whole old rows, COMMIT; the
 * RELATION message decoded once in setup), in transactions of {@code rowsPerTransaction} changes; scores are
 * changes/s.
 * <ul>
 *   <li>{@code decode}: {@link PgOutputDecoder} into change events with their canonical {@code full_row}, what the
 *       Spark engine and the Flink engine's pgoutput source run per message (changes read in place);</li>
 *   <li>{@code decodeViaParser}: the same messages as read-only buffers, which the decoder reads through
 *       {@link PgOutputParser} and a String per value (its path for what it does not read in place, and its only
 *       path before it read changes in place), to compare the two in one run;</li>
 *   <li>{@code parse}: {@link PgOutputParser} alone (messages to records, no JSON), to tell the protocol's share
 *       from the encoding's.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PgOutputDecodingBenchmark {
    /** Changes per benchmark call; the scores count changes. */
    static final int CHANGES = 1_000;
    private static final int RELATION_OID = 16_400;
    /** 2026-12-01 00:00 UTC in microseconds since 2000-01-01. */
    private static final long COMMIT_MICROS = 849_398_400_000_000L;

    @Param({"payment", "wide-24"})
    String table;

    /** Changes per transaction; {@value #CHANGES} must be a multiple. */
    @Param({"1", "10", "1000"})
    int rowsPerTransaction;

    ByteBuffer[] messages;
    ByteBuffer[] readOnlyMessages;
    PgLsn[] lsns;
    PgOutputDecoder decoder;

    @Setup
    public void setUp() {
        if (rowsPerTransaction < 1 || CHANGES % rowsPerTransaction != 0) {
            throw new IllegalArgumentException("rowsPerTransaction " + rowsPerTransaction + " must divide " + CHANGES);
        }
        SampleTable sample = SampleTable.of(table);
        List<byte[]> stream = new ArrayList<>();
        List<Long> positions = new ArrayList<>();
        long lsn = 0x1_6B37_4D48L;
        int xid = 750;
        for (int first = 0; first < CHANGES; first += rowsPerTransaction) {
            long commitLsn = lsn + 0x100L * (rowsPerTransaction + 1);
            long micros = COMMIT_MICROS + first * 1_000L;
            stream.add(PgOutputMessages.begin(commitLsn, micros, xid++));
            positions.add(lsn);
            for (int k = first; k < first + rowsPerTransaction; k++) {
                lsn += 0x100L;
                stream.add(change(k, sample));
                positions.add(lsn);
            }
            stream.add(PgOutputMessages.commit(commitLsn, commitLsn + 0x30L, micros));
            positions.add(commitLsn);
            lsn = commitLsn + 0x30L;
        }
        messages = stream.stream().map(ByteBuffer::wrap).toArray(ByteBuffer[]::new);
        readOnlyMessages = stream.stream().map(m -> ByteBuffer.wrap(m).asReadOnlyBuffer()).toArray(ByteBuffer[]::new);
        lsns = positions.stream().map(PgLsn::of).toArray(PgLsn[]::new);

        String key = sample.columns().get(0);
        decoder = new PgOutputDecoder(sample.table()::equals, oid -> null, t -> new UpdateRule(List.of(key)));
        List<PgOutputMessages.Column> columns = new ArrayList<>();
        for (int i = 0; i < sample.columnCount(); i++) {
            columns.add(new PgOutputMessages.Column(i == 0, sample.columns().get(i), sample.types().get(i).oid));
        }
        decoder.decode(PgLsn.of(0x1_6B37_4D00L), ByteBuffer.wrap(PgOutputMessages.relation(RELATION_OID,
                sample.table().schema(), sample.table().name(), columns)));
    }

    private static byte[] change(int k, SampleTable sample) {
        String[] row = sample.texts(sample.rows().get(k % SampleTable.ROWS));
        return switch (ChangeMix.of(k)) {
            case INSERT -> PgOutputMessages.insert(RELATION_OID, row);
            case UPDATE -> PgOutputMessages.update(RELATION_OID, row, sample.texts(sample.newValues(k)));
            case DELETE -> PgOutputMessages.delete(RELATION_OID, row);
        };
    }

    /** @return the number of change events, {@value #CHANGES} */
    @Benchmark
    @OperationsPerInvocation(CHANGES)
    public int decode(Blackhole blackhole) {
        int events = 0;
        for (int i = 0; i < messages.length; i++) {
            List<ChangeEvent> decoded = decoder.decode(lsns[i], messages[i].rewind());
            events += decoded.size();
            blackhole.consume(decoded);
        }
        return events;
    }

    /** @return the number of change events, {@value #CHANGES} */
    @Benchmark
    @OperationsPerInvocation(CHANGES)
    public int decodeViaParser(Blackhole blackhole) {
        int events = 0;
        for (int i = 0; i < readOnlyMessages.length; i++) {
            List<ChangeEvent> decoded = decoder.decode(lsns[i], readOnlyMessages[i].rewind());
            events += decoded.size();
            blackhole.consume(decoded);
        }
        return events;
    }

    /** @return the number of messages parsed */
    @Benchmark
    @OperationsPerInvocation(CHANGES)
    public int parse(Blackhole blackhole) {
        for (ByteBuffer message : messages) {
            blackhole.consume(PgOutputParser.parse(message.rewind()));
        }
        return messages.length;
    }
}
