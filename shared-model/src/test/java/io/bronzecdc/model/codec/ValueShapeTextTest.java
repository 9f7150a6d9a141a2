package io.bronzecdc.model.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.ContractViolationException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Text output of user types, ranges and BC values rendered as to_jsonb does (values taken from PostgreSQL 17). */
class ValueShapeTextTest {
    private static final ValueShape TEXT = ValueShape.ofBuiltInName("text");
    private static final ValueShape.Composite ITEM = new ValueShape.Composite("kit.item", List.of(
            new ValueShape.Field("name", TEXT), new ValueShape.Field("qty", ValueShape.ofBuiltInName("int4")),
            new ValueShape.Field("tags", ValueShape.ofBuiltInName("_text")),
            new ValueShape.Field("at", ValueShape.ofBuiltInName("timestamptz"))));

    @Test
    void shouldRenderACompositeAsAnObjectOfTypedAttributes() {
        assertThat(row(ITEM, "(\"it's, \"\"a\"\" {b}\",3,\"{x,NULL,\"\"\"\"}\",\"2020-02-29 12:00:00+05:30\")"))
                .isEqualTo("{\"c\":{\"name\":\"it's, \\\"a\\\" {b}\",\"qty\":3,\"tags\":[\"x\",null,\"\"],"
                        + "\"at\":\"2020-02-29T06:30:00+00:00\"}}");
        assertThat(row(ITEM, "(,,,)")).isEqualTo("{\"c\":{\"name\":null,\"qty\":null,\"tags\":null,\"at\":null}}");
        assertThat(row(new ValueShape.Array("_item", ITEM, ','), "{\"(\\\"\\\",1,{},)\",NULL}"))
                .isEqualTo("{\"c\":[{\"name\":\"\",\"qty\":1,\"tags\":[],\"at\":null},null]}");
    }

    @Test
    void shouldRenderHstoreAsItsCastToJsonDoes() {
        assertThat(row(new ValueShape.Hstore("hstore"), "\"\"=>\"\", \"a\"=>\"1\", \"b c\"=>NULL, \"k\\\\\\\"q\"=>\"v,=>{}\""))
                .isEqualTo("{\"c\":{\"\":\"\",\"a\":\"1\",\"b c\":null,\"k\\\\\\\"q\":\"v,=>{}\"}}");
        assertThat(row(new ValueShape.Hstore("hstore"), "")).isEqualTo("{\"c\":{}}");
    }

    @Test
    void shouldPrintTimestamptzRangeBoundsInUtc() {
        ValueShape range = ValueShape.ofBuiltInName("tstzrange");
        assertThat(row(range, "[\"2020-01-01 05:30:00+05:30\",\"2020-01-02 00:00:00.5-08\")"))
                .isEqualTo("{\"c\":\"[\\\"2020-01-01 00:00:00+00\\\",\\\"2020-01-02 08:00:00.5+00\\\")\"}");
        assertThat(row(range, "(,infinity]")).isEqualTo("{\"c\":\"(,infinity]\"}");
        assertThat(row(ValueShape.ofBuiltInName("tstzmultirange"), "{[\"2001-01-01 01:00:00+01\",),empty}"))
                .isEqualTo("{\"c\":\"{[\\\"2001-01-01 00:00:00+00\\\",),empty}\"}");
    }

    @Test
    void shouldKeepDatesAndTimestampsBeforeTheCommonEra() {
        assertThat(row(ValueShape.ofBuiltInName("timestamptz"), "0044-03-15 12:00:00+01 BC"))
                .isEqualTo("{\"c\":\"0044-03-15T11:00:00+00:00 BC\"}");
        assertThat(row(ValueShape.ofBuiltInName("timestamp"), "4713-01-01 00:00:00 BC"))
                .isEqualTo("{\"c\":\"4713-01-01T00:00:00 BC\"}");
        assertThat(row(ValueShape.ofBuiltInName("date"), "0001-12-31 BC")).isEqualTo("{\"c\":\"0001-12-31 BC\"}");
    }

    @Test
    void shouldSplitBoxArraysOnTheirSemicolon() {
        assertThat(row(ValueShape.ofBuiltInName("_box"), "{(1,1),(0,0);(3,3),(2,2)}"))
                .isEqualTo("{\"c\":[\"(1,1),(0,0)\",\"(3,3),(2,2)\"]}");
    }

    @Test
    void shouldRefuseAValueItCannotRenderNamingColumnAndType() {
        ValueShape odd = new ValueShape.Unsupported("public.mood", "to_jsonb renders it through its cast to json");

        assertThat(row(odd, null)).isEqualTo("{\"c\":null}");
        assertThatThrownBy(() -> row(odd, "sad"))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("column c (type public.mood)")
                .hasMessageContaining("to_jsonb renders it through its cast to json");
    }

    private static String row(ValueShape shape, String text) {
        return new CanonicalRowWriter().begin().textValue("c", shape, text).end();
    }
}
