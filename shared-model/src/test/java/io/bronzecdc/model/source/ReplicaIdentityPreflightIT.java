package io.bronzecdc.model.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.PipelineConfigLoader;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.TestPipelineYaml;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shared preflight names each captured table whose replica identity cannot give complete before-images, saying
 * why (no primary key and DEFAULT, NOTHING, USING INDEX), and {@code --init}'s fixes set FULL on every one of them.
 */
class ReplicaIdentityPreflightIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @Test
    void shouldNameEachTableWhoseIdentityLosesBeforeImagesAndFixThemAll() throws Exception {
        String database = POSTGRES.newDatabase("identity");
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE keyless_default (v integer)");
            s.execute("CREATE TABLE keyless_full (v integer); ALTER TABLE keyless_full REPLICA IDENTITY FULL");
            s.execute("CREATE TABLE nothing_t (id integer PRIMARY KEY); ALTER TABLE nothing_t REPLICA IDENTITY NOTHING");
            s.execute("CREATE TABLE by_index (code text NOT NULL, v integer); CREATE UNIQUE INDEX by_index_code"
                    + " ON by_index (code); ALTER TABLE by_index REPLICA IDENTITY USING INDEX by_index_code");
            s.execute("CREATE TABLE keyed_default (id integer PRIMARY KEY)");
            PipelineConfig config = PipelineConfigLoader.parse(TestPipelineYaml.of(POSTGRES.server().port(), database,
                    "id_slot", "cdc_bronze", "env: UNUSED").replace("tables: [customer, payment, rental]",
                    "tables: [keyless_default, keyless_full, nothing_t, by_index, keyed_default]"), "test", name -> "x");

            List<TableId> tables = config.tables().resolve(c, "cdc_bronze", "test");
            SourceInspection inspection = new SourcePreflight(config, tables).inspect(c);
            List<String> problems = inspection.problemsWithoutFixing(" (or start with --init)");

            assertThat(String.join("\n", problems))
                    .contains("table public.keyless_default has no primary key and REPLICA IDENTITY DEFAULT, so the"
                            + " server logs no old row for it", "run ALTER TABLE public.keyless_default REPLICA"
                            + " IDENTITY FULL; (or start with --init)")
                    .contains("table public.nothing_t has REPLICA IDENTITY NOTHING, so its updates and deletes carry"
                            + " no old row")
                    .contains("table public.by_index has REPLICA IDENTITY USING INDEX by_index_code, so its old rows"
                            + " carry only that index's columns")
                    .contains("REPLICA IDENTITY is not FULL on public.keyed_default, so updates and deletes would"
                            + " lose column values")
                    .doesNotContain("ALTER TABLE public.keyless_full", "table public.keyless_full");

            inspection.applyFixes(c);
            List<String> identities = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT relname || ' ' || relreplident::text FROM pg_class WHERE relname IN"
                    + " ('keyless_default', 'keyless_full', 'nothing_t', 'by_index', 'keyed_default') ORDER BY 1")) {
                while (rs.next()) {
                    identities.add(rs.getString(1));
                }
            }
            assertThat(identities).containsExactly("by_index f", "keyed_default f", "keyless_default f",
                    "keyless_full f", "nothing_t f");
            assertThat(new SourcePreflight(config, tables).inspect(c).fixes()).as("after --init's fixes")
                    .noneMatch(fix -> fix.problem().contains("IDENTITY"));
        }
    }
    /**
     * pgoutput carries no generated column, so the snapshot rows of such a table have it and its streamed changes do
     * not. A Spark run on a table with a stored generated column (PostgreSQL 15.18, 2026-12-03) gave snapshot rows
     * with it and changes without it, and validate reported schema_drift with no hint why; the preflight now names
     * the table and the columns at every start.
     */
    @Test
    void shouldWarnOfGeneratedColumnsWhichTheStreamDoesNotCarry() throws Exception {
        String database = POSTGRES.newDatabase("generated");
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id integer PRIMARY KEY, price numeric, qty integer,"
                    + " total numeric GENERATED ALWAYS AS (price * qty) STORED, \"Tax Due\" numeric GENERATED ALWAYS AS"
                    + " (price / 10) STORED, note text)");
            s.execute("CREATE TABLE plain (id integer PRIMARY KEY, v text)");
            PipelineConfig config = PipelineConfigLoader.parse(TestPipelineYaml.of(POSTGRES.server().port(), database,
                    "gen_slot", "cdc_bronze", "env: UNUSED").replace("tables: [customer, payment, rental]",
                    "tables: [items, plain]"), "test", name -> "x");

            List<TableId> tables = config.tables().resolve(c, "cdc_bronze", "test");
            SourceInspection inspection = new SourcePreflight(config, tables).inspect(c);

            assertThat(inspection.cautions()).singleElement().asString()
                    .contains("table public.items has generated columns (total, \"Tax Due\")",
                            "bronze-cdc validate reports schema_drift", "Compute them from the other columns");
            assertThat(inspection.warnings(true, "")).contains(inspection.cautions().get(0));
            assertThat(inspection.problems()).as("a caution, not a problem: the pipeline runs").isEmpty();
        }
    }
}
