package io.bronzecdc.spark.job;

import io.bronzecdc.model.ExitCode;
import static io.bronzecdc.spark.testing.BatchPipeline.single;
import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.SchemaChangeTrigger;
import io.bronzecdc.model.source.SourceInspection;
import io.bronzecdc.model.source.SourcePreflight;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.RowChurn;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.Check;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.spark.testing.BatchPipeline;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema changes and TRUNCATE of a captured table while a workload changes its rows, through the micro-batch job:
 * with the schema-change trigger, bronze records each event in order and the replay equals the source after each
 * one; without it (a role that may not install it), preflight warns and the replay check reports the drift as one
 * finding. The workload is seeded; the seed is printed.
 */
class SchemaChangeBatchIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();
    @TempDir
    static Path configDir;

    private static final TableId ITEMS = TableId.of("ev_items");
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = BatchPipeline.localSession("SchemaChangeBatchIT");
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void shouldRecordEachSchemaChangeAndTruncateInOrderAndReplayEqualsSourceAfterEach() throws Exception {
        String database = POSTGRES.newDatabase("ddl");
        BatchPipeline pipeline = createPipeline(database, "ev_ddl");
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
            s.execute(SchemaChangeTrigger.script());
            assertThat(SchemaChangeTrigger.installed(c)).isTrue();
        }
        assertThat(pipeline.run()).as("first run").isEqualTo(ExitCode.SUCCESS.code());
        long seed = System.nanoTime();
        System.out.println("SchemaChangeBatchIT seed " + seed);
        Random random = new Random(seed);
        List<String> steps = List.of(
                "ALTER TABLE ev_items ADD COLUMN note text",
                "ALTER TABLE ev_items ADD COLUMN flag integer NOT NULL DEFAULT 7,"
                        + " ADD COLUMN stamped timestamptz DEFAULT now()",
                "ALTER TABLE ev_items DROP COLUMN qty",
                "ALTER TABLE ev_items RENAME COLUMN name TO label",
                "ALTER TABLE ev_items ALTER COLUMN price TYPE numeric(12,2)",
                "TRUNCATE ev_items");
        List<String> expectedEvents = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            String step = steps.get(i);
            try (RowChurn workload = new RowChurn(POSTGRES.connect(database), "ev_items", random.nextLong())) {
                workload.awaitMore(20);
                try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
                    c.setAutoCommit(false);
                    s.execute(step);
                    // Rows of the same transaction after the change carry the new shape.
                    s.execute("INSERT INTO ev_items (touched) VALUES (-1)");
                    c.commit();
                }
                workload.awaitMore(20);
            }
            expectedEvents.add(step.startsWith("TRUNCATE") ? "truncate TRUNCATE null"
                    : "schema_change ALTER TABLE " + step);
            if (i % 2 == 0 && i < steps.size() - 1) {
                continue; // a run covers two changes, so that one batch holds changes of three shapes
            }
            assertThat(pipeline.run()).as("run after %s (seed %d)", step, seed).isEqualTo(ExitCode.SUCCESS.code());
            try (Connection c = POSTGRES.connect(database)) {
                ValidationReport report = BronzeValidator.validate(c, pipeline.schema(), List.of(ITEMS),
                        ValidationOptions.defaults().withSlot("ev_ddl"));
                assertThat(report.violations()).as("after %s (seed %d): %s", step, seed, report.toText()).isEmpty();
                assertThat(events(c, pipeline)).as("events after %s", step).containsExactlyElementsOf(expectedEvents);
            }
        }
        try (Connection c = POSTGRES.connect(database)) {
            String bronze = pipeline.schema().tableOf(ITEMS);
            assertThat(single(c, "SELECT count(*) FROM " + bronze + " b WHERE lsn > (SELECT follows_lsn FROM "
                    + pipeline.schema().tableEvents() + " WHERE ddl LIKE '%RENAME%') AND jsonb_exists(full_row, 'name')"))
                    .as("rows written after the rename carry the new name only").isZero();
            assertThat(single(c, "SELECT count(*) FROM " + bronze + " b WHERE lsn > (SELECT follows_lsn FROM "
                    + pipeline.schema().tableEvents() + " WHERE kind = 'truncate') AND tx_id IS NOT NULL"))
                    .as("rows written after the truncate").isPositive();
        }
    }

    @Test
    void shouldWarnWithoutTheTriggerAndReportSchemaDriftAsOneFinding() throws Exception {
        String database = POSTGRES.newDatabase("drift");
        BatchPipeline pipeline = createPipeline(database, "ev_drift");
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS ev_plain");
            s.execute("CREATE ROLE ev_plain LOGIN REPLICATION");
            s.execute("GRANT SELECT ON ev_items TO ev_plain");
        }
        try (Connection plain = DriverManager.getConnection(POSTGRES.server().jdbcUrl(database), "ev_plain", "")) {
            SourceInspection inspection = new SourcePreflight(pipeline.config(), List.of(ITEMS)).inspect(plain);
            assertThat(inspection.warnings(true, "start with --init")).singleElement().asString()
                    .contains("bronze_cdc_schema_changes is not installed").contains("lacks superuser rights");
            assertThat(inspection.problemsBeforeFixing()).noneMatch(p -> p.contains("bronze_cdc_schema_changes"));
        }
        assertThat(pipeline.run()).as("first run").isEqualTo(ExitCode.SUCCESS.code());
        try (RowChurn workload = new RowChurn(POSTGRES.connect(database), "ev_items", 42)) {
            workload.awaitMore(20);
            try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE ev_items DROP COLUMN qty");
                s.execute("ALTER TABLE ev_items RENAME COLUMN name TO label");
            }
            workload.awaitMore(20);
        }
        assertThat(pipeline.run()).as("second run").isEqualTo(ExitCode.SUCCESS.code());
        try (Connection c = POSTGRES.connect(database)) {
            ValidationReport report = BronzeValidator.validate(c, pipeline.schema(), List.of(ITEMS),
                    ValidationOptions.defaults());
            assertThat(report.violations()).as(report.toText()).singleElement().satisfies(v -> {
                assertThat(v.check()).isEqualTo(Check.SCHEMA_DRIFT);
                assertThat(v.count()).isGreaterThan(1);
                assertThat(v.example()).contains("without a recorded event");
            });
            assertThat(single(c, "SELECT count(*) FROM " + pipeline.schema().tableEvents())).isZero();
        }
    }

    private static BatchPipeline createPipeline(String database, String slot) throws Exception {
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE ev_items (id serial PRIMARY KEY, touched integer NOT NULL DEFAULT 0,"
                    + " name text, qty integer, price integer)");
            s.execute("ALTER TABLE ev_items REPLICA IDENTITY FULL");
            s.execute("INSERT INTO ev_items (name, qty, price) SELECT 'item ' || g, g % 7, g * 3"
                    + " FROM generate_series(1, 50) g");
            s.execute("CREATE PUBLICATION " + slot + "_pub FOR TABLE ev_items WITH (publish_via_partition_root = true)");
        }
        return BatchPipeline.configure(POSTGRES.server(), database, slot, slot + "_bronze", configDir, List.of(ITEMS));
    }

    private static List<String> events(Connection c, BatchPipeline pipeline) throws SQLException {
        List<String> events = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT kind, command_tag, ddl FROM "
                + pipeline.schema().tableEvents() + " ORDER BY follows_lsn, commit_lsn, source_lsn")) {
            while (rs.next()) {
                events.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
            }
        }
        return events;
    }
}
