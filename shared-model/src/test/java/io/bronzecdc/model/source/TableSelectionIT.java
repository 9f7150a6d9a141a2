package io.bronzecdc.model.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.config.ConfigException;
import io.bronzecdc.model.config.ConfigProblem;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TableSelectionIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @BeforeAll
    static void createTables() throws Exception {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA sales; CREATE SCHEMA \"Mixed Case\"; CREATE SCHEMA cdc_bronze;"
                    + " CREATE TABLE public.orders (id int PRIMARY KEY);"
                    + " CREATE TABLE public.tmp_scratch (id int);"
                    + " CREATE TABLE public.\"Orders\" (id int);"
                    + " CREATE TABLE sales.order_items (id int);"
                    + " CREATE TABLE sales.order_notes (id int);"
                    + " CREATE TABLE sales.customers (id int);"
                    + " CREATE TABLE \"Mixed Case\".\"Order Items\" (id int);"
                    + " CREATE TABLE \"Mixed Case\".\"a.b\" (id int);"
                    + " CREATE TABLE sales.payment (id int, at date) PARTITION BY RANGE (at);"
                    + " CREATE TABLE sales.payment_2024 PARTITION OF sales.payment"
                    + "   FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
                    + " CREATE TABLE cdc_bronze.br_orders_cdc (lsn bigint);"
                    + " CREATE VIEW public.orders_view AS SELECT * FROM public.orders;"
                    + " CREATE SEQUENCE public.order_seq;");
        }
    }

    @Test
    void shouldSelectIncludedTablesMinusExcludedOnesInOrder() throws Exception {
        TableSelection selection = new TableSelection(patterns("public.*", "sales.order_*",
                "\"Mixed Case\".\"Order Items\""), patterns("public.tmp_*"), false);
        assertThat(resolve(selection)).containsExactly(new TableId("Mixed Case", "Order Items"),
                TableId.of("Orders"), TableId.of("orders"), new TableId("sales", "order_items"),
                new TableId("sales", "order_notes"));
    }

    @Test
    void shouldCaptureAPartitionedTableThroughItsRootOnly() throws Exception {
        assertThat(resolve(TableSelection.of(patterns("sales.pay*")))).containsExactly(new TableId("sales", "payment"));
        assertThat(resolve(TableSelection.of(patterns("*.*")))).doesNotContain(
                new TableId("sales", "payment_2024"), new TableId("cdc_bronze", "br_orders_cdc"),
                TableId.of("orders_view"), TableId.of("order_seq"))
                .contains(new TableId("sales", "payment"), new TableId("Mixed Case", "a.b"))
                .allMatch(t -> !t.schema().startsWith("pg_") && !t.schema().equals("information_schema"));
    }

    @Test
    void shouldNameEveryIncludePatternThatMatchesNothing() {
        TableSelection selection = new TableSelection(patterns("public.orders", "sales.nothing_*",
                "sales.payment_2024", "\"mixed case\".*"), List.of(), false);
        assertThatThrownBy(() -> resolve(selection)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("pipeline config test.yaml has 3 problems")
                .hasMessageContaining("tables.include[1]: expected a pattern matching at least one table (ordinary or"
                        + " partitioned, not a partition) of database " + POSTGRES.database()
                        + " but found 'sales.nothing_*', which matches none; check its spelling and case")
                .extracting(e -> ((ConfigException) e).problems().stream().map(ConfigProblem::key).toList())
                .isEqualTo(List.of("tables.include[1]", "tables.include[2]", "tables.include[3]"));
        assertThatThrownBy(() -> resolve(TableSelection.of(patterns("Orders_x"))))
                .hasMessageContaining("tables[0]: expected a pattern matching");
        assertThatThrownBy(() -> resolve(new TableSelection(patterns("sales.order_*"), patterns("sales.*"), false)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("tables.exclude: expected patterns that"
                        + " leave at least one included table");
    }

    private static List<TableId> resolve(TableSelection selection) throws Exception {
        try (Connection c = POSTGRES.connect()) {
            return selection.resolve(c, "cdc_bronze", "test.yaml");
        }
    }

    private static List<TablePattern> patterns(String... texts) {
        return Stream.of(texts).map(TablePattern::parse).toList();
    }
}
