package io.bronzecdc.testkit.pagila;

import static io.bronzecdc.testkit.pagila.PagilaLoaderIT.count;
import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.testing.PostgresExtension;
import java.sql.Connection;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Generated rows load into the real source schema: the counts asked for, inside the payment partitions. */
class PagilaGeneratorIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @Test
    void shouldLoadGeneratedRowsOfAnySize() throws Exception {
        try (Connection c = POSTGRES.connect()) {
            SourceSchema.create(c);
            Map<PagilaTable, Long> loaded = PagilaLoader.loadGenerated(c,
                    new PagilaGenerator(11, new PagilaGenerator.Counts(599, 60_000, 700)));
            assertThat(loaded).containsExactlyInAnyOrderEntriesOf(Map.of(
                    PagilaTable.CUSTOMER, 599L, PagilaTable.PAYMENT, 60_000L, PagilaTable.RENTAL, 700L));
            assertThat(count(c, "payment")).isEqualTo(60_000);
            assertThat(count(c, "payment WHERE amount NOT BETWEEN 0.99 AND 11.99")).isZero();
            assertThat(count(c, "customer WHERE email IS NULL")).isPositive();
            assertThat(count(c, "rental WHERE return_date IS NULL")).isBetween(1L, 699L);
            for (int month = 1; month <= 7; month++) {
                assertThat(count(c, "payment_p2022_0" + month)).isPositive();
            }
        }
    }
}
