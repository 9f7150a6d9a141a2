package io.bronzecdc.spark.probe;

import io.bronzecdc.model.testing.PagilaFiles;
import io.bronzecdc.spark.job.RunHooks;
import io.bronzecdc.spark.testing.BatchPipeline;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.apache.spark.sql.SparkSession;

/**
 * Not a test: times the micro-batch job on the Pagila snapshot and on a backlog of whole-table payment updates
 * (16,049 changes each), on an embedded server, and prints the split (session start vs run). Run with the test
 * classpath: {@code java <Spark module flags> -cp ... io.bronzecdc.spark.probe.BacklogProbe [updates]}.
 */
public final class BacklogProbe {
    private BacklogProbe() {
    }

    public static void main(String[] args) throws Exception {
        int updates = args.length > 0 ? Integer.parseInt(args[0]) : 13;
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start()) {
            server.createDatabase("probe");
            try (Connection c = server.connect("probe")) {
                SourceSchema.create(c);
                PagilaLoader.loadFiles(c, PagilaFiles.directory());
            }
            BatchPipeline pipeline = BatchPipeline.create(server, "probe", "probe_batch", "cdc_bronze",
                    Files.createTempDirectory("probe"));
            long t0 = System.nanoTime();
            SparkSession spark = BatchPipeline.localSession("BacklogProbe");
            long t1 = System.nanoTime();
            System.out.printf("PROBE session start: %d ms%n", (t1 - t0) / 1_000_000);
            check(pipeline.run(RunHooks.NONE, 10_000));
            long t2 = System.nanoTime();
            System.out.printf("PROBE first run (Pagila snapshot, 32,692 rows): %d ms%n", (t2 - t1) / 1_000_000);
            try (Connection c = server.connect("probe"); Statement s = c.createStatement()) {
                for (int i = 0; i < updates; i++) {
                    s.execute("UPDATE payment SET amount = amount + 0.01");
                }
            }
            long t3 = System.nanoTime();
            System.out.printf("PROBE backlog of %d changes written in %d ms%n", updates * 16_049L,
                    (t3 - t2) / 1_000_000);
            check(pipeline.run(RunHooks.NONE, 10_000));
            long t4 = System.nanoTime();
            System.out.printf("PROBE stream run over the backlog (%d changes): %d ms, %.0f changes/s%n",
                    updates * 16_049L, (t4 - t3) / 1_000_000, updates * 16_049.0 / ((t4 - t3) / 1e9));
            spark.stop();
        }
    }

    private static void check(int exitCode) {
        if (exitCode != 0) {
            throw new IllegalStateException("run exited with " + exitCode);
        }
    }
}
