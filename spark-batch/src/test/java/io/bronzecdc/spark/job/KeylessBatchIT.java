package io.bronzecdc.spark.job;

import io.bronzecdc.model.ExitCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.KeylessWorkload;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.spark.testing.BatchPipeline;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table without a primary key (duplicate rows, NULLs, updates of several identical rows, deletes of one of two
 * identical rows) and a keyed table whose keys change (two rows swapping keys in one transaction) through the
 * micro-batch job: first run (snapshot), seeded workload, two stream runs. Every such update is a D of the old row
 * immediately followed by an I of the new one; bronze holds exactly the workload's history, passes every validator
 * and replays to the source (the keyless table as a multiset). Seed: {@code -Dbronze.keyless.seed=N}; printed.
 */
class KeylessBatchIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();
    @TempDir
    static Path configDir;

    private static final long SEED = Long.getLong("bronze.keyless.seed", 20_261_201L);
    private static final List<TableId> TABLES = List.of(KeylessWorkload.KEYLESS, KeylessWorkload.KEYED);
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = BatchPipeline.localSession("KeylessBatchIT");
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void shouldLogKeylessAndKeyChangingUpdatesAsAdjacentDeleteAndInsert() throws Exception {
        System.out.println("KeylessBatchIT seed " + SEED + " (replay with -Dbronze.keyless.seed=" + SEED + ")");
        String database = POSTGRES.newDatabase("keyless");
        try (Connection work = POSTGRES.connect(database)) {
            KeylessWorkload workload = KeylessWorkload.create(work, SEED, 8);
            try (Statement s = work.createStatement()) {
                s.execute("CREATE PUBLICATION kl_batch_pub FOR TABLE " + KeylessWorkload.tableList()
                        + " WITH (publish_via_partition_root = true)");
            }
            BatchPipeline pipeline = BatchPipeline.configure(POSTGRES.server(), database, "kl_batch", "kl_bronze",
                    configDir, TABLES);
            assertThat(pipeline.run()).as("first run (snapshot)").isEqualTo(ExitCode.SUCCESS.code());
            workload.run(30);
            assertThat(pipeline.run()).as("second run").isEqualTo(ExitCode.SUCCESS.code());
            workload.run(30);
            assertThat(pipeline.run()).as("third run").isEqualTo(ExitCode.SUCCESS.code());

            try (Connection c = POSTGRES.connect(database)) {
                for (TableId table : TABLES) {
                    assertThat(KeylessWorkload.bronzeHistory(c, pipeline.schema(), table))
                            .as("streamed op, tx and full_row of %s against the workload, in order (seed %d)", table,
                                    SEED)
                            .containsExactlyElementsOf(workload.history(table));
                }
                assertThat(workload.history(KeylessWorkload.KEYLESS)).as("keyless updates are never U")
                        .noneMatch(line -> line.startsWith("U"));
                ValidationReport report = BronzeValidator.validate(c, pipeline.schema(), TABLES,
                        ValidationOptions.defaults().withSlot("kl_batch"));
                assertThat(report.violations()).as("%s (seed %d)", report.toText(), SEED).isEmpty();
            }
        }
    }
}
