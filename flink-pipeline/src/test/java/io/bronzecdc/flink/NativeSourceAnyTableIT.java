package io.bronzecdc.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.flink.testing.PipelineUnderTest;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.PipelineConfigLoader;
import io.bronzecdc.model.config.SourceConnector;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.OddNamesDatabase;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.TestPipelineYaml;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What only the pgoutput source can capture in the Flink engine (the Flink CDC source's preflight refuses each of
 * these, see {@link AnyIdentifierStreamingIT} and {@code PreflightIT}): schemas, tables and columns with spaces,
 * dots and non-ASCII letters ({@link OddNamesDatabase}, every table of it), a table without a primary key holding
 * duplicate rows, and two columns whose names differ only in case. Snapshot, then I/U/D on each table (an update of
 * the keyless table becomes D then I); exact counts, every snapshot row {@code to_jsonb} of its source row, and the
 * validator passes (replay equals source, the keyless table as a multiset).
 */
class NativeSourceAnyTableIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final TableId KEYLESS = TableId.of("Keyless Log");
    private static final TableId CASES = TableId.of("Case Cols");

    @Test
    void shouldCaptureWhatFlinkCdcRefusesWithValidatorsPassing() throws Exception {
        String slot = "any_native";
        BronzeSchema schema = new BronzeSchema("bronze_any");
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            OddNamesDatabase.create(c, slot + "_pub");
            s.execute("CREATE TABLE public.\"Keyless Log\" (note text, \"Amount\" numeric(8, 2))");
            s.execute("INSERT INTO public.\"Keyless Log\" VALUES ('dup', 1.50), ('dup', 1.50), ('single', NULL)");
            s.execute("CREATE TABLE public.\"Case Cols\" (id int PRIMARY KEY, \"Value\" text, value text)");
            s.execute("INSERT INTO public.\"Case Cols\" VALUES (1, 'upper', 'lower')");
        }
        PipelineConfig config = PipelineConfigLoader.parse(TestPipelineYaml.of(POSTGRES.server().port(),
                POSTGRES.database(), slot, schema.name(), "env: PW").replace("tables: [customer, payment, rental]\n",
                OddNamesDatabase.TABLES_YAML), "any.yaml", name -> "trust-auth-ignores-it");
        assertThat(config.connector()).as("the default source").isEqualTo(SourceConnector.PGOUTPUT);
        List<TableId> captured = new ArrayList<>(OddNamesDatabase.CAPTURED);
        captured.add(KEYLESS);
        captured.add(CASES);

        try (PipelineUnderTest pipeline = PipelineUnderTest.start(POSTGRES.server(), config);
                Connection c = POSTGRES.connect()) {
            Map<TableId, Long> snapshot = pipeline.sourceCounts();
            assertThat(snapshot.keySet()).containsExactlyInAnyOrderElementsOf(captured);
            pipeline.awaitBronzeCounts(snapshot);
            assertThat(OddNamesDatabase.snapshotDifferences(c, schema, captured)).isEmpty();
            assertThat(OddNamesDatabase.recordedMapping(c, schema))
                    .isEqualTo(OddNamesDatabase.expectedMapping(captured));

            OddNamesDatabase.applyChanges(c);
            try (Statement s = c.createStatement()) {
                // Two rows updated: each a D of the old row then an I of the new one.
                s.execute("UPDATE public.\"Keyless Log\" SET \"Amount\" = 2.25 WHERE note = 'dup'");
                s.execute("DELETE FROM public.\"Keyless Log\" WHERE ctid = (SELECT min(ctid)"
                        + " FROM public.\"Keyless Log\" WHERE note = 'dup')");
                s.execute("INSERT INTO public.\"Keyless Log\" VALUES ('single', NULL)");
                s.execute("UPDATE public.\"Case Cols\" SET value = 'changed' WHERE id = 1");
                s.execute("INSERT INTO public.\"Case Cols\" VALUES (2, 'U', 'l')");
            }
            Map<TableId, Long> expected = new LinkedHashMap<>(snapshot);
            Map<TableId, Long> changes = Map.of(new TableId("Sales Dept", "Customer.List"), 3L,
                    new TableId("Sales Dept", "plain_orders"), 2L, TableId.of("Order Items"), 3L,
                    TableId.of("a_table_name_that_is_long_enough_to_need_a_hashed_bronze_name"), 1L,
                    TableId.of("quote\"d"), 2L, TableId.of("simple"), 3L, new TableId("ünïcode", "straße"), 2L,
                    KEYLESS, 6L, CASES, 2L);
            changes.forEach((table, n) -> expected.merge(table, n, Long::sum));
            pipeline.awaitBronzeCounts(expected);

            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT string_agg(op, '' ORDER BY"
                    + " lsn) FROM " + schema.tableOf(KEYLESS) + " WHERE tx_id IS NOT NULL")) {
                rs.next();
                assertThat(rs.getString(1)).as("keyless updates as D then I, then the delete and the insert")
                        .isEqualTo("DIDIDI");
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT full_row::text FROM "
                    + schema.tableOf(CASES) + " ORDER BY lsn DESC LIMIT 1")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("{\"id\": 2, \"Value\": \"U\", \"value\": \"l\"}");
            }
            ValidationReport report = BronzeValidator.validate(c, schema, captured,
                    ValidationOptions.defaults().withSlot(slot));
            assertThat(report.violations()).as(report.toText()).isEmpty();
        }
    }
}
