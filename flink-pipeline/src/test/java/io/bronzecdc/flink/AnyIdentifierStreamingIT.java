package io.bronzecdc.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.flink.preflight.PreflightException;
import io.bronzecdc.flink.testing.PipelineUnderTest;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.PipelineConfigLoader;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.OddNamesDatabase;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.TestPipelineYaml;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Names that need quoting ({@link OddNamesDatabase}: capitals, quotes, commas, spaces and dots in column names,
 * quotes in a table name, a hashed bronze name), selected by include and exclude patterns, through the Flink job: snapshot, then a few I/U/D; every snapshot row is {@code to_jsonb} of its
 * source row, {@code bronze_tables} records each log, and the validator passes (replay equals source). Tables whose
 * schema, name or columns Flink CDC 3.5 / Debezium 1.9 cannot carry (white space, dots, non-ASCII letters) are
 * refused by the preflight of the Flink CDC source ({@code source.connector: flink-cdc}), each named, before anything
 * is written. {@link NativeSourceAnyTableIT} captures all of them with the pgoutput source.
 */
class AnyIdentifierStreamingIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @Test
    void shouldCaptureTablesWhoseNamesNeedQuotingEndToEnd() throws Exception {
        String slot = "odd_names_flink";
        BronzeSchema schema = new BronzeSchema("bronze_odd");
        try (Connection c = POSTGRES.connect()) {
            OddNamesDatabase.create(c, slot + "_pub");
        }
        PipelineConfig everything = config(slot, schema, OddNamesDatabase.TABLES_YAML);
        assertThatThrownBy(() -> BronzeCdcJob.prepare(everything, 1, true, false))
                .isInstanceOf(PreflightException.class)
                .hasMessageContaining("table \"Sales Dept\".\"Customer.List\": the Flink engine cannot capture")
                .hasMessageContaining("table \"Sales Dept\".plain_orders: the Flink engine cannot capture")
                .hasMessageContaining("table public.\"Order Items\": the Flink engine cannot capture")
                .hasMessageContaining("table \"ünïcode\".\"straße\": the Flink engine cannot capture")
                .hasMessageContaining("table \"Sales Dept\".\"Customer.List\", columns \"Größe\": the Flink engine"
                        + " cannot capture a column whose name has a non-ASCII character");
        try (Connection c = POSTGRES.connect(); var s = c.createStatement();
                var rs = s.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname = 'bronze_odd'")) {
            rs.next();
            assertThat(rs.getLong(1)).as("nothing written").isZero();
        }

        List<TableId> captured = OddNamesDatabase.CAPTURED_BY_FLINK;
        PipelineConfig config = config(slot, schema, OddNamesDatabase.FLINK_TABLES_YAML);
        try (PipelineUnderTest pipeline = PipelineUnderTest.start(POSTGRES.server(), config);
                Connection c = POSTGRES.connect()) {
            pipeline.awaitBronzeCounts(counts(1, 1, 2));
            assertThat(OddNamesDatabase.snapshotDifferences(c, schema, captured)).isEmpty();
            assertThat(OddNamesDatabase.recordedMapping(c, schema))
                    .isEqualTo(OddNamesDatabase.expectedMapping(captured));

            OddNamesDatabase.applyChanges(c);
            pipeline.awaitBronzeCounts(counts(2, 3, 5));
            ValidationReport report = BronzeValidator.validate(c, schema, captured,
                    ValidationOptions.defaults().withSlot(slot));
            assertThat(report.violations()).as(report.toText()).isEmpty();
        }
    }

    private static PipelineConfig config(String slot, BronzeSchema schema, String tablesYaml) {
        return PipelineConfigLoader.parse(TestPipelineYaml.of(POSTGRES.server().port(), POSTGRES.database(), slot,
                schema.name(), "env: PW").replace("tables: [customer, payment, rental]\n", tablesYaml)
                + "source.connector: flink-cdc\n", "odd.yaml",
                name -> "trust-auth-ignores-it");
    }

    /** Expected rows per captured table, in {@link OddNamesDatabase#CAPTURED_BY_FLINK} order. */
    private static Map<TableId, Long> counts(long... rows) {
        Map<TableId, Long> counts = new LinkedHashMap<>();
        List<TableId> tables = OddNamesDatabase.CAPTURED_BY_FLINK;
        for (int i = 0; i < tables.size(); i++) {
            counts.put(tables.get(i), rows[i]);
        }
        return counts;
    }
}
