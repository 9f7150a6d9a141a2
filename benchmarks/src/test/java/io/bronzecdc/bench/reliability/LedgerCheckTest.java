package io.bronzecdc.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The comparison at the heart of every reliability run must see each kind of damage: a seeded history of I/U/D lines
 * (keys repeat, as a row is inserted, updated and deleted), then one damage at a seeded place at a time.
 */
class LedgerCheckTest {
    private static final long SEED = Long.getLong("bronze.ledger.seed", System.nanoTime());

    /**
     * A history whose lines are distinct (a key is changed by many transactions, but not twice the same way in one),
     * so each damage has exactly one reading.
     */
    private static List<String> history(SplittableRandom random, int size) {
        List<String> history = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int tx = 1; history.size() < size; tx++) {
            int changes = 1 + random.nextInt(4);
            for (int i = 0; i < changes && history.size() < size; i++) {
                String op = List.of("I", "U", "D").get(random.nextInt(3));
                String line = LedgerCheck.line(op, "{\"id\": " + random.nextInt(50) + "}", tx);
                if (seen.add(line)) {
                    history.add(line);
                }
            }
        }
        return history;
    }

    private static LedgerCheck.Comparison compare(List<String> expected, List<String> actual) {
        return LedgerCheck.compare("t", expected, actual, new ArrayList<>());
    }

    @Test
    void shouldFindNothingWhenBronzeIsTheHistory() {
        System.out.println("LedgerCheckTest seed " + SEED + " (replay with -Dbronze.ledger.seed=" + SEED + ")");
        List<String> history = history(new SplittableRandom(SEED), 500);
        assertThat(compare(history, List.copyOf(history))).isEqualTo(new LedgerCheck.Comparison(0, 0, 0, 0));
        assertThat(compare(List.of(), List.of())).isEqualTo(new LedgerCheck.Comparison(0, 0, 0, 0));
    }

    @Test
    void shouldCountEachKindOfDamage() {
        System.out.println("LedgerCheckTest seed " + SEED + " (replay with -Dbronze.ledger.seed=" + SEED + ")");
        SplittableRandom random = new SplittableRandom(SEED);
        for (int round = 0; round < 200; round++) {
            List<String> history = history(random, 20 + random.nextInt(200));
            int at = random.nextInt(history.size());

            List<String> lost = new ArrayList<>(history);
            lost.remove(at);
            assertThat(compare(history, lost)).as("seed %d round %d: line %d lost", SEED, round, at)
                    .isEqualTo(new LedgerCheck.Comparison(1, 0, 0, 0));

            List<String> doubled = new ArrayList<>(history);
            doubled.add(at + 1, history.get(at));
            assertThat(compare(history, doubled).duplicated()).as("seed %d round %d: line %d twice", SEED, round, at)
                    .isEqualTo(1);
            assertThat(compare(history, doubled).lost()).isZero();

            List<String> foreign = new ArrayList<>(history);
            foreign.add(at, LedgerCheck.line("I", "{\"id\": -1}", 999_999));
            assertThat(compare(history, foreign)).as("seed %d round %d: a line never committed", SEED, round)
                    .isEqualTo(new LedgerCheck.Comparison(0, 0, 1, 0));

            int other = random.nextInt(history.size());
            if (!history.get(at).equals(history.get(other))) {
                List<String> swapped = new ArrayList<>(history);
                swapped.set(at, history.get(other));
                swapped.set(other, history.get(at));
                LedgerCheck.Comparison found = compare(history, swapped);
                assertThat(found.outOfOrder()).as("seed %d round %d: lines %d and %d swapped", SEED, round, at, other)
                        .isPositive();
                assertThat(found.lost() + found.duplicated() + found.unexpected()).isZero();
            }
        }
    }
}
