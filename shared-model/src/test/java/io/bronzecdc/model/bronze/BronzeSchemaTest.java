package io.bronzecdc.model.bronze;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.event.TableId;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BronzeSchemaTest {

    @Test
    void shouldKeepTheReadableNamesOfPlainTables() {
        assertThat(BronzeSchema.logTableName(TableId.of("customer"))).isEqualTo("br_customer_cdc");
        assertThat(BronzeSchema.logTableName(TableId.of("order_items_2024"))).isEqualTo("br_order_items_2024_cdc");
        assertThat(BronzeSchema.logTableName(new TableId("sales", "orders"))).isEqualTo("br_sales__orders_cdc");
        assertThat(BronzeSchema.logTableName(new TableId("sales_eu", "order_items")))
                .isEqualTo("br_sales_eu__order_items_cdc");
        assertThat(new BronzeSchema("cdc_bronze").tableOf(TableId.of("customer")))
                .isEqualTo("\"cdc_bronze\".\"br_customer_cdc\"");
    }

    @Test
    void shouldHashEveryOtherNameReadablyAndStably() {
        // The hash is the first 10 hex digits of SHA-256 of "schema"."name", fixed here so that a change shows.
        assertThat(BronzeSchema.logTableName(TableId.of("Customer"))).isEqualTo("br_public_customer___"
                + hash(TableId.of("Customer")) + "_cdc");
        assertThat(BronzeSchema.logTableName(new TableId("Sales Dept", "Order \"Items\".v2")))
                .isEqualTo("br_sales_dept_order_items_v2___" + hash(new TableId("Sales Dept", "Order \"Items\".v2"))
                        + "_cdc");
        assertThat(BronzeSchema.logTableName(new TableId("ünïcode", "straße")))
                .isEqualTo("br__n_code_stra_e___" + hash(new TableId("ünïcode", "straße")) + "_cdc");
        assertThat(BronzeSchema.logTableName(TableId.of("_x"))).startsWith("br_public_x___");
        assertThat(BronzeSchema.logTableName(TableId.of("a__b"))).startsWith("br_public_a_b___");
        assertThat(BronzeSchema.logTableName(TableId.of("Customer")))
                .isEqualTo("br_public_customer___2a8bfb6635_cdc");
    }

    @Test
    void shouldStayWithin63BytesAndHashNamesThatWouldNot() {
        String long55 = "t".repeat(55); // br_ + 55 + _cdc = 62: still readable
        assertThat(BronzeSchema.logTableName(TableId.of(long55))).isEqualTo("br_" + long55 + "_cdc");
        String long57 = "t".repeat(57); // 64 bytes: hashed
        String hashed = BronzeSchema.logTableName(TableId.of(long57));
        assertThat(hashed).hasSize(63).startsWith("br_public_ttt").endsWith("___" + hash(TableId.of(long57)) + "_cdc");
        TableId widest = new TableId("é".repeat(31), "ö".repeat(31));
        assertThat(BronzeSchema.logTableName(widest).getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(63);
        assertThat(BronzeSchema.logTableName(new TableId("s".repeat(30), "t".repeat(30)))).hasSize(63);
    }

    @Test
    void shouldNeverGiveTwoSourcesOneBronzeTable() {
        List<TableId> tricky = List.of(TableId.of("a__b"), new TableId("a", "b"), TableId.of("a_b"),
                new TableId("public", "A_b"), new TableId("a_b", "c"), new TableId("a", "b__c"),
                new TableId("a", "b_c"), TableId.of("sales__orders"), new TableId("sales", "orders"),
                new TableId("Sales", "orders"), new TableId("sales", "Orders"), new TableId("a.b", "c"),
                new TableId("a", "b.c"), TableId.of("x y"), TableId.of("x_y"), TableId.of("x-y"),
                TableId.of("t".repeat(57)), TableId.of("t".repeat(58)));
        Set<String> names = new HashSet<>();
        for (TableId table : tricky) {
            assertThat(names.add(BronzeSchema.logTableName(table))).as("unique name of " + table).isTrue();
        }
        assertThat(BronzeSchema.logTableName(TableId.of("a__b")))
                .isNotEqualTo(BronzeSchema.logTableName(new TableId("a", "b")));
        assertThat(BronzeSchema.logTableName(new TableId("a", "b"))).isEqualTo("br_a__b_cdc");
    }

    private static String hash(TableId table) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(table.quoted().getBytes(StandardCharsets.UTF_8))).substring(0, 10);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
