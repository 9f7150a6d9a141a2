package io.bronzecdc.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.flink.testing.PipelineUnderTest;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.SourceConnector;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.SchemaChangeTrigger;
import io.bronzecdc.model.testing.LongRuns;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.RowChurn;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the Flink engine does with schema changes and TRUNCATE of a captured table while it streams.
 *
 * <p>The native pgoutput source (the default) receives the schema-change trigger's messages and each TRUNCATE in
 * order with the rows, and the sink records them in {@code bronze_table_events}: after each of ADD (with and without
 * a default), DROP, RENAME and ALTER COLUMN TYPE, made while a writer churns the table, and after a TRUNCATE, the
 * bronze log replays to the source (the validators apply the events), every row written after a change has the new
 * shape, and nothing is lost or doubled.
 *
 * <p>Flink CDC 3.5 drops logical decoding messages before the deserializer, so with {@code source.connector:
 * flink-cdc} no schema change is recorded (rewriting every row makes replay equal the source again) and a TRUNCATE
 * stops the job with a clear error instead of leaving rows the source no longer has. Seeded; the seed is printed.
 */
class SchemaChangeStreamingIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final TableId ITEMS = TableId.of("ev_items");
    private static final List<String> STEPS = List.of("ALTER TABLE ev_items ADD COLUMN note text",
            "ALTER TABLE ev_items ADD COLUMN flag integer NOT NULL DEFAULT 7",
            "ALTER TABLE ev_items DROP COLUMN qty",
            "ALTER TABLE ev_items RENAME COLUMN name TO label",
            "ALTER TABLE ev_items ALTER COLUMN price TYPE numeric(12,2)");

    @Test
    void shouldRecordEachSchemaChangeMidStreamSoThatReplayEqualsTheSourceAfterEach() throws Exception {
        String database = POSTGRES.newDatabase("flink_ddl_native");
        createTable(database);
        long seed = System.nanoTime();
        System.out.println("SchemaChangeStreamingIT (pgoutput) seed " + seed);
        Random random = new Random(seed);
        BronzeSchema bronze = new BronzeSchema("fl_ddn_bronze");
        try (PipelineUnderTest pipeline = PipelineUnderTest.start(POSTGRES.server(), config(database, "fl_ddn"))) {
            long expected = 50;
            pipeline.awaitBronzeCounts(Map.of(ITEMS, expected));
            int recorded = 0;
            for (String step : STEPS) {
                try (RowChurn workload = new RowChurn(pipeline.connect(), "ev_items", random.nextLong())) {
                    workload.awaitMore(20);
                    try (Connection c = pipeline.connect(); Statement s = c.createStatement()) {
                        s.execute(step);
                    }
                    workload.awaitMore(20);
                    workload.close();
                    expected += workload.rowChanges();
                }
                recorded++;
                pipeline.awaitBronzeCounts(Map.of(ITEMS, expected));
                try (Connection c = pipeline.connect()) {
                    assertThat(single(c, "SELECT count(*) FROM fl_ddn_bronze.bronze_table_events"
                            + " WHERE kind = 'schema_change'")).as("schema changes recorded after %s", step)
                            .isEqualTo(recorded);
                    ValidationReport report = BronzeValidator.validate(c, bronze, List.of(ITEMS),
                            ValidationOptions.defaults());
                    assertThat(report.violations()).as("after %s (seed %d): %s", step, seed, report.toText())
                            .isEmpty();
                }
            }
            try (Connection c = pipeline.connect(); Statement s = c.createStatement()) {
                s.execute("TRUNCATE ev_items");
                s.execute("INSERT INTO ev_items (label) VALUES ('after the truncate'), ('and another')");
            }
            pipeline.awaitBronzeCounts(Map.of(ITEMS, expected + 2));
            try (Connection c = pipeline.connect()) {
                assertThat(single(c, "SELECT count(*) FROM fl_ddn_bronze.bronze_table_events WHERE kind = 'truncate'"
                        + " AND follows_lsn = " + expected)).as("the TRUNCATE, after the last row before it").isOne();
                ValidationReport report = BronzeValidator.validate(c, bronze, List.of(ITEMS),
                        ValidationOptions.defaults());
                assertThat(report.violations()).as("after the TRUNCATE (seed %d): %s", seed, report.toText())
                        .isEmpty();
            }
        }
    }

    @Test
    void shouldLoseNoChangeAcrossSchemaChangesWithFlinkCdc() throws Exception {
        // The native source's case above runs in every build; the Flink CDC source's stops on a TRUNCATE below.
        LongRuns.onlyInLongRuns("schema changes through the Flink CDC source");
        String database = POSTGRES.newDatabase("flink_ddl");
        createTable(database);
        long seed = System.nanoTime();
        System.out.println("SchemaChangeStreamingIT (flink-cdc) seed " + seed);
        Random random = new Random(seed);
        try (PipelineUnderTest pipeline = PipelineUnderTest.start(POSTGRES.server(),
                config(database, "fl_ddl").withConnector(SourceConnector.FLINK_CDC))) {
            try (Connection c = pipeline.connect()) {
                assertThat(SchemaChangeTrigger.installed(c)).as("--init installed the schema-change trigger").isTrue();
            }
            long expected = 50;
            pipeline.awaitBronzeCounts(Map.of(ITEMS, expected));
            for (String step : STEPS) {
                long before = expected;
                try (RowChurn workload = new RowChurn(pipeline.connect(), "ev_items", random.nextLong())) {
                    workload.awaitMore(20);
                    try (Connection c = pipeline.connect(); Statement s = c.createStatement()) {
                        s.execute(step);
                        expected += s.executeUpdate("UPDATE ev_items SET touched = touched + 1");
                    }
                    workload.awaitMore(20);
                    workload.close();
                    expected += workload.rowChanges();
                }
                pipeline.awaitBronzeCounts(Map.of(ITEMS, expected));
                try (Connection c = pipeline.connect()) {
                    // Every row the update after the change touched, as bronze last holds it, equals the source row.
                    String lastAfter = "(SELECT DISTINCT ON (full_row->'id') lsn, op, full_row FROM "
                            + pipeline.bronzeTable(ITEMS) + " ORDER BY full_row->'id', lsn DESC) b"
                            + " JOIN ev_items s ON s.id = (b.full_row->>'id')::int WHERE b.lsn > " + before;
                    assertThat(single(c, "SELECT count(*) FROM " + lastAfter)).as("rows changed after " + step)
                            .isPositive();
                    assertThat(single(c, "SELECT count(*) FROM " + lastAfter + " AND b.full_row <> to_jsonb(s)"))
                            .as("rows changed after %s (seed %d) differ from the source", step, seed).isZero();
                }
            }
            try (Connection c = pipeline.connect()) {
                // Every row was rewritten after the last change, so replay equals source although Flink CDC records
                // no event: nothing was lost or doubled.
                ValidationReport report = BronzeValidator.validate(c, new BronzeSchema("fl_ddl_bronze"), List.of(ITEMS),
                        ValidationOptions.defaults());
                assertThat(report.violations()).as(report.toText()).isEmpty();
                assertThat(single(c, "SELECT count(*) FROM fl_ddl_bronze.bronze_table_events")).isZero();
            }
        }
    }

    @Test
    void shouldStopOnTruncateWithFlinkCdcInsteadOfKeepingRowsTheSourceNoLongerHas() throws Exception {
        String database = POSTGRES.newDatabase("flink_truncate");
        createTable(database);
        Configuration noRestart = new Configuration();
        noRestart.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        try (PipelineUnderTest pipeline = PipelineUnderTest.start(POSTGRES.server(),
                config(database, "fl_trunc").withConnector(SourceConnector.FLINK_CDC), 1, UnaryOperator.identity(),
                noRestart)) {
            pipeline.awaitBronzeCounts(Map.of(ITEMS, 50L));
            try (Connection c = pipeline.connect(); Statement s = c.createStatement()) {
                s.execute("TRUNCATE ev_items");
                s.execute("INSERT INTO ev_items (name) VALUES ('after the truncate')");
            }
            assertThatThrownBy(() -> pipeline.job().getJobExecutionResult().get(120, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .satisfies(e -> assertThat(causes(e)).contains("public.ev_items: TRUNCATE")
                            .contains("rebuild this table's bronze log"));
            assertThat(pipeline.bronzeCounts()).as("nothing after the truncate was written")
                    .isEqualTo(Map.of(ITEMS, 50L));
        }
    }

    private static PipelineConfig config(String database, String slot) {
        return PipelineUnderTest.config(POSTGRES.server(), database, slot, slot + "_bronze", Duration.ofMillis(200),
                List.of(ITEMS));
    }

    private static void createTable(String database) throws SQLException {
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE ev_items (id serial PRIMARY KEY, touched integer NOT NULL DEFAULT 0,"
                    + " name text, qty integer, price integer)");
            s.execute("INSERT INTO ev_items (name, qty, price) SELECT 'item ' || g, g % 7, g * 3"
                    + " FROM generate_series(1, 50) g");
        }
    }

    private static String causes(Throwable e) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        return messages.toString();
    }

    private static long single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
