package io.bronzecdc.bench.engine;

import io.bronzecdc.cli.engine.EngineProcess;
import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.bench.engine.BronzeLogs.StreamedRow;
import io.bronzecdc.bench.engine.EnginePair.Pipeline;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.KeylessWorkload;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Parity for updates that change primary keys (two rows swapping keys in one transaction included): the Flink job
 * and Spark micro-batch runs, each in a JVM of its own, capture the same seeded workload into two bronze schemas.
 * Each key change is a D of the old row immediately followed by an I of the new one in both; the two engines'
 * streamed rows agree in every column but load_ts; both pass validation (replay equals source). A table without a
 * primary key has no Flink side (its preflight refuses it; see flink-pipeline's KeyChangeIT), so its parity is
 * not tested here.
 *
 * <p>Seed: {@code -Dbronze.keyless.seed=N}; printed at start and in every failure. Engine output goes to
 * {@code target/key-change-parity-it/}.
 */
class KeyChangeParityIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final long SEED = Long.getLong("bronze.keyless.seed", 20_261_201L);
    private static final TableId KEYED = KeylessWorkload.KEYED;
    private static final int SNAPSHOT_ROWS = 8;
    private static final Pipeline FLINK = new Pipeline("flink", "flink_keys", new BronzeSchema("keys_bronze_flink"));
    private static final Pipeline SPARK = new Pipeline("spark", "spark_keys", new BronzeSchema("keys_bronze_spark"));

    @Test
    void shouldLogTheSameKeyChangesWithBothEngines() throws Exception {
        String context = "seed " + SEED + " (replay with -Dbronze.keyless.seed=" + SEED + ")";
        System.out.println("KeyChangeParityIT " + context);
        EnginePair engines = new EnginePair(POSTGRES, "target/key-change-parity-it", FLINK, SPARK);
        engines.context(context);
        try (Connection work = POSTGRES.connect()) {
            KeylessWorkload workload = KeylessWorkload.create(work, SEED, SNAPSHOT_ROWS);
            try (Statement s = work.createStatement()) {
                // The Flink job creates its publication itself (--init); the Spark job expects one.
                s.execute("CREATE PUBLICATION " + SPARK.slot() + "_pub FOR TABLE " + KEYED.qualifiedName()
                        + " WITH (publish_via_partition_root = true)");
            }
            engines.writeConfigs(yaml -> yaml.replace("tables: [customer, payment, rental]",
                    "tables: [" + KEYED.name() + "]"));
            try (EngineProcess flink = engines.startFlink()) {
                try (EngineProcess run = engines.startSpark("spark-run-1")) {
                    engines.awaitSuccess(run);
                }
                engines.awaitFlinkBronze(Map.of(KEYED, (long) SNAPSHOT_ROWS), Duration.ofSeconds(90), "the snapshot");

                workload.run(40);
                List<String> history = workload.history(KEYED);
                assertThat(history).as("the workload changed keys").anyMatch(line -> line.startsWith("D"));
                try (EngineProcess run = engines.startSpark("spark-run-2")) {
                    engines.awaitFlinkBronze(Map.of(KEYED, SNAPSHOT_ROWS + (long) history.size()),
                            Duration.ofSeconds(45), "the snapshot plus the workload's changes");
                    engines.awaitSuccess(run);
                }

                try (Connection c = POSTGRES.connect()) {
                    for (Pipeline pipeline : List.of(FLINK, SPARK)) {
                        assertThat(KeylessWorkload.bronzeHistory(c, pipeline.schema(), KEYED))
                                .as("%s: streamed op, tx and full_row against the workload, in order; %s",
                                        pipeline.engine(), context)
                                .containsExactlyElementsOf(history);
                        ValidationReport report = BronzeValidator.validate(c, pipeline.schema(), List.of(KEYED),
                                ValidationOptions.defaults().withSlot(pipeline.slot()));
                        assertThat(report.violations()).as("validation of %s:%n%s%n%s", pipeline.schema(),
                                report.toText(), context).isEmpty();
                    }
                    List<StreamedRow> flinkRows = BronzeLogs.streamed(c, FLINK.schema(), KEYED);
                    List<StreamedRow> sparkRows = BronzeLogs.streamed(c, SPARK.schema(), KEYED);
                    assertThat(BronzeLogs.firstDifference(KEYED, FLINK.engine(), flinkRows, SPARK.engine(), sparkRows))
                            .as("streamed changes: flink and spark must agree in every column but load_ts; %s",
                                    context).isEmpty();
                }
                assertThat(flink.isAlive()).as("flink still streaming; output:%n%s", flink.tail(EnginePair.TAIL_LINES))
                        .isTrue();
            }
        }
    }
}
