package io.bronzecdc.bench.jmh;

import io.bronzecdc.flink.source.CanonicalDeserializer;
import io.bronzecdc.flink.source.CapturedChange;
import io.bronzecdc.flink.source.SourcePassword;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.Secret;
import io.bronzecdc.model.config.SslMode;
import java.util.concurrent.TimeUnit;
import org.apache.flink.util.Collector;
import org.apache.kafka.connect.source.SourceRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Debezium change records to the Flink engine's change events (records/s): {@link CanonicalDeserializer}, the one
 * step of ours inside the Flink CDC source, on Connect structs shaped as Debezium's Postgres connector shapes them
 * ({@link DebeziumRecords}: inserts, key-keeping updates and deletes, whole old rows). Debezium's own work before
 * (pgoutput to structs) is not measured here.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DebeziumDeserializingBenchmark {
    /** Records cycled through; a power of two. */
    static final int RECORDS = 1_024;

    /** As in {@link CanonicalEncodingBenchmark}; the wide rows without their array columns (refused by Flink). */
    @Param({"payment", "wide-24", "wide-96"})
    String table;

    private SourceRecord[] records;
    private CanonicalDeserializer deserializer;
    private final Consumed out = new Consumed();
    private int next;

    @Setup
    public void setUp() {
        records = DebeziumRecords.of(SampleTable.of(table), RECORDS).toArray(SourceRecord[]::new);
        // Never used to connect: the deserializer only carries the source password to the JVMs that connect.
        deserializer = new CanonicalDeserializer(SourcePassword.of(new PipelineConfig.SourceConfig("127.0.0.1", 5432,
                "bench", "bench", Secret.of("not-a-password"), SslMode.DISABLE, "bench_slot", "bench_pub")));
    }

    /** @return the last change the record gave (each change also goes to the blackhole) */
    @Benchmark
    public CapturedChange deserialize(Blackhole blackhole) {
        out.blackhole = blackhole;
        deserializer.deserialize(records[next++ & (RECORDS - 1)], out);
        return out.last;
    }

    /** The source's collector: hands each change to the blackhole. */
    static final class Consumed implements Collector<CapturedChange> {
        Blackhole blackhole;
        CapturedChange last;

        @Override
        public void collect(CapturedChange change) {
            last = change;
            blackhole.consume(change);
        }

        @Override
        public void close() {
        }
    }
}
