package io.bronzecdc.testkit.pagila;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PagilaGeneratorTest {
    @Test
    void shouldMakePagilaCountsByDefault() {
        PagilaGenerator generator = PagilaGenerator.withPagilaCounts(1);
        assertThat(lines(generator, PagilaTable.CUSTOMER)).hasSize(599);
        assertThat(lines(generator, PagilaTable.PAYMENT)).hasSize(16_049);
        assertThat(lines(generator, PagilaTable.RENTAL)).hasSize(16_044);
    }

    @Test
    void shouldBeDeterministicForASeedAndDifferAcrossSeeds() {
        for (PagilaTable table : PagilaTable.values()) {
            assertThat(lines(PagilaGenerator.withPagilaCounts(7), table))
                    .isEqualTo(lines(PagilaGenerator.withPagilaCounts(7), table))
                    .isNotEqualTo(lines(PagilaGenerator.withPagilaCounts(8), table));
        }
    }

    @Test
    void shouldWriteOneCopyFieldPerColumn() {
        PagilaGenerator generator = new PagilaGenerator(3, new PagilaGenerator.Counts(10, 20, 30));
        for (PagilaTable table : PagilaTable.values()) {
            assertThat(lines(generator, table)).allSatisfy(line ->
                    assertThat(line.split("\t", -1)).hasSize(table.columns().size()));
        }
    }

    @Test
    void shouldRejectImpossibleCounts() {
        assertThatThrownBy(() -> new PagilaGenerator.Counts(0, 1, 1))
                .hasMessageContaining("customers >= 1").hasMessageContaining("but were 0, 1, 1");
    }

    private static List<String> lines(PagilaGenerator generator, PagilaTable table) {
        List<String> lines = new ArrayList<>();
        generator.rows(table, lines::add);
        return lines;
    }
}
