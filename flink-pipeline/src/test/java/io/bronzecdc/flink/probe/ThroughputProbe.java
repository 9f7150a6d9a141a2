package io.bronzecdc.flink.probe;

import io.bronzecdc.flink.testing.PipelineUnderTest;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;

/**
 * A simple harness until the benchmark module lands (not a test): snapshot time of the Pagila rows, then the
 * sustained rate of a bulk stream of payment inserts (transactions of {@code batch} rows) and the lag at the end.
 *
 * <pre>
 * java -cp flink-pipeline/target/test-classes:flink-pipeline/target/classes:$(cat cp.txt) \
 *   io.bronzecdc.flink.probe.ThroughputProbe ../shared/pagila 200000 2000 1
 * </pre>
 */
public final class ThroughputProbe {
    private ThroughputProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path pagila = Path.of(args[0]);
        int changes = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        int parallelism = Integer.parseInt(args[3]);
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start()) {
            server.createDatabase("probe");
            try (Connection c = server.connect("probe")) {
                SourceSchema.create(c);
                PagilaLoader.loadFiles(c, pagila);
            }
            long started = System.nanoTime();
            try (PipelineUnderTest pipeline = PipelineUnderTest.start(server, PipelineUnderTest.config(server,
                    "probe", "probe_slot", BronzeSchema.DEFAULT_NAME, Duration.ofMillis(300)), parallelism,
                    UnaryOperator.identity(), new Configuration())) {
                var expected = pipeline.sourceCounts();
                pipeline.awaitBronzeCounts(expected);
                System.out.printf("snapshot: %,d rows in %.1f s (job start included), parallelism %d%n",
                        expected.values().stream().mapToLong(Long::longValue).sum(),
                        (System.nanoTime() - started) / 1e9, parallelism);
                long streamStart = System.nanoTime();
                try (Connection c = server.connect("probe"); Statement s = c.createStatement()) {
                    for (int done = 0; done < changes; done += batch) {
                        s.execute("INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date)"
                                + " SELECT 1 + g % 599, 1, 1 + g % 16044, (g % 1000) / 100.0,"
                                + " timestamptz '2022-03-01 00:00:00+00' + g * interval '1 second'"
                                + " FROM generate_series(1, " + batch + ") g");
                    }
                }
                double committedSeconds = (System.nanoTime() - streamStart) / 1e9;
                expected.merge(TableId.of("payment"), (long) changes, Long::sum);
                long target = expected.values().stream().mapToLong(Long::longValue).sum();
                while (pipeline.bronzeCounts().values().stream().mapToLong(Long::longValue).sum() < target) {
                    TimeUnit.MILLISECONDS.sleep(50);
                }
                double seconds = (System.nanoTime() - streamStart) / 1e9;
                try (Connection c = server.connect("probe"); Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT extract(epoch FROM max(load_ts - commit_ts))"
                                + " FROM cdc_bronze.br_payment_cdc WHERE tx_id IS NOT NULL")) {
                    rs.next();
                    System.out.printf("stream: %,d changes committed in %.1f s, all in bronze after %.1f s:"
                            + " %,.0f changes/s end to end (batch %d, parallelism %d)%n", changes, committedSeconds,
                            seconds, changes / seconds, batch, parallelism);
                }
            }
        }
    }
}
