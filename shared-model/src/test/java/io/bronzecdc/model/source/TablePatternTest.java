package io.bronzecdc.model.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.event.TableId;
import org.junit.jupiter.api.Test;

class TablePatternTest {

    @Test
    void shouldFoldUnquotedPartsAndDefaultToPublic() {
        TablePattern pattern = TablePattern.parse("Payment");
        assertThat(pattern.matches(TableId.of("payment"))).isTrue();
        assertThat(pattern.matches(TableId.of("Payment"))).isFalse();
        assertThat(pattern.matches(new TableId("sales", "payment"))).isFalse();
        assertThat(TablePattern.parse("SALES.Orders").matches(new TableId("sales", "orders"))).isTrue();
        assertThat(pattern).isEqualTo(TablePattern.parse("public.payment"))
                .isEqualTo(TablePattern.parse("\"public\".\"payment\""));
    }

    @Test
    void shouldTakeQuotedPartsExactlyWithDotsSpacesQuotesAndNonAscii() {
        assertThat(TablePattern.parse("\"Mixed Case\".\"Order Items\"")
                .matches(new TableId("Mixed Case", "Order Items"))).isTrue();
        assertThat(TablePattern.parse("\"Mixed Case\".\"Order Items\"")
                .matches(new TableId("mixed case", "order items"))).isFalse();
        assertThat(TablePattern.parse("\"a.b\".\"say \"\"hi\"\"\"").matches(new TableId("a.b", "say \"hi\""))).isTrue();
        assertThat(TablePattern.parse("\"x*\"").matches(TableId.of("x*"))).isTrue();
        assertThat(TablePattern.parse("\"x*\"").matches(TableId.of("xy"))).isFalse();
        assertThat(TablePattern.parse("ünïcode.Straße").matches(new TableId("ünïcode", "straße"))).isTrue();
        TableId odd = new TableId("Sales Dept", "a\"b.c");
        assertThat(TablePattern.parse(odd.quoted()).matches(odd)).isTrue();
    }

    @Test
    void shouldMatchWildcardsInUnquotedParts() {
        TablePattern orders = TablePattern.parse("sales.order_*");
        assertThat(orders.matches(new TableId("sales", "order_items"))).isTrue();
        assertThat(orders.matches(new TableId("sales", "order_"))).isTrue();
        assertThat(orders.matches(new TableId("sales", "orders"))).isFalse();
        assertThat(orders.matches(new TableId("sales", "Order_x"))).isFalse();
        assertThat(TablePattern.parse("*.*").matches(new TableId("Sales Dept", "a.b"))).isTrue();
        assertThat(TablePattern.parse("public.t?").matches(TableId.of("t1"))).isTrue();
        assertThat(TablePattern.parse("public.t?").matches(TableId.of("t12"))).isFalse();
        assertThat(TablePattern.parse("public.t?").matches(TableId.of("tü"))).isTrue();
        assertThat(TablePattern.parse("\"Sales Dept\".*").matches(new TableId("Sales Dept", "Any Thing"))).isTrue();
        assertThat(TablePattern.parse("a+b.c(d)").matches(new TableId("a+b", "c(d)"))).isTrue();
    }

    @Test
    void shouldRejectBadSyntaxSayingHowToWriteIt() {
        assertThatThrownBy(() -> TablePattern.parse("a.b.c")).hasMessageContaining("more than two")
                .hasMessageContaining("\"my.table\"");
        assertThatThrownBy(() -> TablePattern.parse("Order Items")).hasMessageContaining("white space inside an"
                + " unquoted name at character 6; quote the whole name");
        assertThatThrownBy(() -> TablePattern.parse("\"open")).hasMessageContaining("no closing quote");
        assertThatThrownBy(() -> TablePattern.parse("\"a\"b")).hasMessageContaining("text right after the quoted"
                + " name");
        assertThatThrownBy(() -> TablePattern.parse("")).hasMessageContaining("an empty name");
        assertThatThrownBy(() -> TablePattern.parse("public.")).hasMessageContaining("an empty name at character 8");
        assertThatThrownBy(() -> TablePattern.parse(".x")).hasMessageContaining("an empty name at character 1");
        assertThatThrownBy(() -> TablePattern.parse("\"\".x")).hasMessageContaining("empty quoted name");
        assertThatThrownBy(() -> TablePattern.parse("ab\"c\"")).hasMessageContaining("a quote inside an unquoted");
        assertThatThrownBy(() -> TablePattern.parse("\"" + "é".repeat(32) + "\""))
                .hasMessageContaining("1 to 63 bytes");
    }
}
