package io.bronzecdc.spark.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfigLoader;
import io.bronzecdc.model.testing.OddNamesDatabase;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.TestPipelineYaml;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.spark.testing.BatchPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names that need quoting everywhere ({@link OddNamesDatabase}: three schemas, capitals, spaces, quotes, dots and
 * non-ASCII letters in schema, table and column names, a hashed bronze name), selected by include and exclude
 * patterns: a snapshot run, a few I/U/D, a second run; every snapshot row is {@code to_jsonb} of its source row,
 * {@code bronze_tables} records each log, and the validator passes (replay equals source).
 */
class AnyIdentifierBatchIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();
    @TempDir
    static Path configDir;

    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = BatchPipeline.localSession("AnyIdentifierBatchIT");
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void shouldCaptureTablesWhoseNamesNeedQuotingEndToEnd() throws Exception {
        String slot = "odd_names";
        BronzeSchema schema = new BronzeSchema("bronze_odd");
        Path config = configDir.resolve("odd.yaml");
        Files.writeString(config, TestPipelineYaml.of(POSTGRES.server().port(), POSTGRES.database(), slot,
                schema.name(), "env: BRONZE_TEST_PASSWORD").replace("tables: [customer, payment, rental]\n",
                OddNamesDatabase.TABLES_YAML));
        PipelineConfigLoader.load(config, BatchPipeline.ENVIRONMENT); // the YAML itself is valid
        try (Connection c = POSTGRES.connect()) {
            OddNamesDatabase.create(c, slot + "_pub");

            assertThat(run(config)).as("first run (snapshot)").isZero();
            assertThat(OddNamesDatabase.snapshotDifferences(c, schema, OddNamesDatabase.CAPTURED)).isEmpty();
            assertThat(OddNamesDatabase.recordedMapping(c, schema)).isEqualTo(OddNamesDatabase.expectedMapping(OddNamesDatabase.CAPTURED));

            OddNamesDatabase.applyChanges(c);
            assertThat(run(config)).as("second run (stream)").isZero();

            ValidationReport report = BronzeValidator.validate(c, schema, OddNamesDatabase.CAPTURED,
                    ValidationOptions.defaults().withSlot(slot));
            assertThat(report.violations()).as(report.toText()).isEmpty();
            assertThat(BatchPipeline.single(c, "SELECT count(*) FROM " + schema.tableOf(OddNamesDatabase.CAPTURED
                    .get(2)) + " WHERE tx_id IS NOT NULL")).as("streamed changes of \"Order Items\"").isEqualTo(3);
            assertThat(BatchPipeline.single(c, "SELECT count(*) FROM pg_tables WHERE schemaname = 'bronze_odd'"
                    + " AND tablename LIKE '%tmp%'")).as("excluded table has no log").isZero();
        }
        assertThat(ValidationJob.execute(new String[] {"--config", config.toString()}, BatchPipeline.ENVIRONMENT,
                System.out, System.err))
                .as("ValidationJob on the same config").isZero();
    }

    private static int run(Path config) {
        return MicroBatchJob.execute(new String[] {"--config", config.toString(), "--retries", "0"},
                BatchPipeline.ENVIRONMENT, RunHooks.NONE);
    }
}
