package io.bronzecdc.model.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.ContractViolationException;
import org.junit.jupiter.api.Test;

/** One writer, many rows: each row is its own object, also after a row that failed half-way. */
class CanonicalRowWriterReuseTest {
    @Test
    void rowsAfterRowsAndAfterAFailedRowAreWhole() {
        CanonicalRowWriter writer = new CanonicalRowWriter();
        assertThat(writer.begin().value("id", PgType.INTEGER, 1L).value("t", PgType.TEXT, "a").end())
                .isEqualTo("{\"id\":1,\"t\":\"a\"}");
        assertThat(writer.begin().value("id", PgType.INTEGER, 2L).end()).isEqualTo("{\"id\":2}");
        writer.begin().value("id", PgType.INTEGER, 3L);
        assertThatThrownBy(() -> writer.textValue("n", PgType.INTEGER, false, "not a number"))
                .isInstanceOf(ContractViolationException.class);
        assertThat(writer.begin().value("id", PgType.INTEGER, 4L).end()).isEqualTo("{\"id\":4}");
        assertThat(writer.begin().end()).isEqualTo("{}");
    }
}
