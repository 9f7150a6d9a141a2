package io.bronzecdc.model.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class BronzeMigratorIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @Test
    void shouldCreateEveryContractColumnForTheThreeTables() throws Exception {
        try (Connection c = POSTGRES.connect()) {
            assertThat(BronzeMigrator.migrate(c, new BronzeSchema("bronze_columns"))).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
            assertThat(single(c, "SELECT string_agg(a.attname, ',' ORDER BY a.attnum) FROM pg_index i JOIN pg_attribute a"
                    + " ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) WHERE i.indisprimary"
                    + " AND i.indrelid = 'bronze_columns.bronze_table_events'::regclass"))
                    .isEqualTo("bronze_table,commit_lsn,source_lsn");
            for (String table : List.of("br_customer_cdc", "br_payment_cdc", "br_rental_cdc")) {
                assertThat(columns(c, "bronze_columns", table)).containsExactly(
                        "lsn bigint NO", "op character NO", "full_row jsonb NO",
                        "load_ts timestamp with time zone NO", "source_lsn bigint NO", "tx_id bigint YES",
                        "commit_ts timestamp with time zone YES");
                assertThat(single(c, "SELECT string_agg(a.attname, ',') FROM pg_index i JOIN pg_attribute a"
                        + " ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)"
                        + " WHERE i.indisprimary AND i.indrelid = 'bronze_columns." + table + "'::regclass"))
                        .isEqualTo("lsn");
            }
        }
    }

    @Test
    void shouldRecordWhichSourceEachLogTableRecordsAndRefuseASharedOne() throws Exception {
        BronzeSchema schema = new BronzeSchema("bronze_mapping");
        io.bronzecdc.model.event.TableId odd = new io.bronzecdc.model.event.TableId("Sales Dept", "Order \"Items\"");
        io.bronzecdc.model.event.TableId plain = io.bronzecdc.model.event.TableId.of("orders");
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            BronzeMigrator.migrate(c, schema, List.of(plain, odd));
            BronzeMigrator.migrate(c, schema, List.of(plain, odd));
            assertThat(single(c, "SELECT string_agg(source_schema || '|' || source_table || '|' || bronze_table, ','"
                    + " ORDER BY bronze_table) FROM bronze_mapping.bronze_tables")).isEqualTo("public|orders|br_orders_cdc,"
                    + "Sales Dept|Order \"Items\"|" + BronzeSchema.logTableName(odd));
            assertThat(single(c, "SELECT to_regclass('" + schema.tableOf(odd).replace("'", "''") + "')::text"))
                    .isNotNull();
            s.execute("UPDATE bronze_mapping.bronze_tables SET source_table = 'other' WHERE source_table = 'orders'");
            assertThatThrownBy(() -> BronzeMigrator.migrate(c, schema, List.of(plain)))
                    .isInstanceOf(ContractViolationException.class)
                    .hasMessageContaining("bronze_mapping.bronze_tables maps public.other to"
                            + " bronze_mapping.br_orders_cdc, but public.orders needs bronze_mapping.br_orders_cdc");
            assertThat(single(c, "SELECT count(*)::text FROM bronze_mapping.bronze_tables")).isEqualTo("2");
        }
    }

    @Test
    void shouldChangeNothingWhenRunTwice() throws Exception {
        try (Connection c = POSTGRES.connect()) {
            BronzeSchema schema = new BronzeSchema("bronze_twice");
            BronzeMigrator.migrate(c, schema);
            String before = catalog(c, schema);
            assertThat(BronzeMigrator.migrate(c, schema)).isEmpty();
            assertThat(catalog(c, schema)).isEqualTo(before);
        }
    }

    @Test
    void shouldKeepTwoSchemasApart() throws Exception {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            BronzeMigrator.migrate(c, new BronzeSchema("bronze_flink"));
            BronzeMigrator.migrate(c, new BronzeSchema("bronze_spark"));
            s.execute("INSERT INTO bronze_flink.br_payment_cdc (lsn, op, full_row, source_lsn) VALUES (1, 'I', '{}', 0)");
            assertThat(single(c, "SELECT count(*)::text FROM bronze_spark.br_payment_cdc")).isEqualTo("0");
        }
    }

    @Test
    void shouldRefuseASchemaMigratedByADifferentBuild() throws Exception {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            BronzeSchema schema = new BronzeSchema("bronze_tampered");
            BronzeMigrator.migrate(c, schema);
            s.execute("UPDATE bronze_tampered.bronze_schema_history SET checksum = 'abc' WHERE version = 1");
            assertThatThrownBy(() -> BronzeMigrator.migrate(c, schema))
                    .isInstanceOf(ContractViolationException.class)
                    .hasMessageContaining("bronze schema bronze_tampered: migration V1 was applied with checksum abc");
        }
    }

    private static List<String> columns(Connection c, String schema, String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns"
                        + " WHERE table_schema = '" + schema + "' AND table_name = '" + table + "' ORDER BY ordinal_position")) {
            while (rs.next()) {
                columns.add(rs.getString(1));
            }
        }
        return columns;
    }

    /** Tables, columns, constraints and the migration history of a schema, as one text. */
    private static String catalog(Connection c, BronzeSchema schema) throws SQLException {
        return single(c, "SELECT string_agg(x, E'\\n' ORDER BY x) FROM ("
                + " SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || coalesce(column_default, '') x"
                + "   FROM information_schema.columns WHERE table_schema = '" + schema.name() + "'"
                + " UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
                + "   WHERE connamespace = '" + schema.name() + "'::regnamespace"
                + " UNION ALL SELECT version || ' ' || checksum || ' ' || applied_at FROM "
                + schema.name() + ".bronze_schema_history) c");
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
