package io.bronzecdc.spark.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.event.TableId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The lsn the tasks' own numbers become once the driver places the tasks: dense base+1..base+N per table in the
 * order of the partitions and of the rows in each, and each event after its table's last change before it.
 */
class SequencingTest {
    private static final long SEED = Long.getLong("bronze.test.seed", System.nanoTime());

    /** A row of the run's order: a change or an event of a table. */
    private record Item(TableId table, boolean event) {
    }

    @Test
    void tasksPlacedInPartitionOrderGiveDenseLsnAndPlaceEachEvent() {
        System.out.println("SequencingTest seed " + SEED + " (-Dbronze.test.seed=" + SEED + " repeats it)");
        SplittableRandom random = new SplittableRandom(SEED);
        for (int round = 0; round < 200; round++) {
            int tableCount = 1 + random.nextInt(5);
            List<TableId> tables = new ArrayList<>();
            Map<TableId, Long> bases = new HashMap<>();
            for (int t = 0; t < tableCount; t++) {
                TableId table = new TableId("s", "t" + t);
                tables.add(table);
                if (random.nextInt(3) > 0) {
                    bases.put(table, (long) random.nextInt(1000)); // absent: an empty table, base 0
                }
            }
            // The run's order, cut into partitions (some empty, some with one table only).
            int partitions = 1 + random.nextInt(8);
            List<List<Item>> byPartition = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                List<Item> items = new ArrayList<>();
                int size = random.nextInt(4) == 0 ? 0 : random.nextInt(60);
                TableId only = random.nextBoolean() ? tables.get(random.nextInt(tableCount)) : null;
                for (int i = 0; i < size; i++) {
                    TableId table = only != null ? only : tables.get(random.nextInt(tableCount));
                    items.add(new Item(table, random.nextInt(10) == 0));
                }
                byPartition.add(items);
            }

            // What the tasks do: number their own changes, place their events after their own numbers.
            List<Sequencing.Counted> counted = new ArrayList<>();
            List<List<Long>> ownNumbers = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                Sequencing.Local local = new Sequencing.Local();
                List<Long> numbers = new ArrayList<>();
                for (Item item : byPartition.get(p)) {
                    numbers.add(item.event() ? local.current(item.table()) : local.next(item.table()));
                }
                ownNumbers.add(numbers);
                counted.add(new Sequencing.Counted(p, local.counts()));
            }
            Collections.shuffle(counted, new Random(random.nextLong())); // results may come in any order
            Sequencing.Placement placement = Sequencing.place(counted, bases);

            // The expected lsn: one pass over the whole order.
            Map<TableId, Long> last = new HashMap<>();
            tables.forEach(t -> last.put(t, bases.getOrDefault(t, 0L)));
            for (int p = 0; p < partitions; p++) {
                List<Item> items = byPartition.get(p);
                for (int i = 0; i < items.size(); i++) {
                    Item item = items.get(i);
                    long placed = placement.offset(p, item.table()) + ownNumbers.get(p).get(i);
                    if (item.event()) {
                        assertThat(placed).as("seed %d round %d: event %d of partition %d follows lsn", SEED, round,
                                i, p).isEqualTo(last.get(item.table()));
                    } else {
                        long expected = last.merge(item.table(), 1L, Long::sum);
                        assertThat(placed).as("seed %d round %d: change %d of partition %d, %s", SEED, round, i,
                                p, item.table()).isEqualTo(expected);
                    }
                }
            }
        }
    }

    @Test
    void twoResultsForOnePartitionAreRefused() {
        TableId table = new TableId("s", "t");
        List<Sequencing.Counted> results = List.of(new Sequencing.Counted(0, Map.of(table, 3L)),
                new Sequencing.Counted(0, Map.of(table, 3L)));
        assertThatThrownBy(() -> Sequencing.place(results, Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("partition 0");
    }

    @Test
    void aPartitionWithoutResultIsRefused() {
        TableId table = new TableId("s", "t");
        Sequencing.Placement placement = Sequencing.place(List.of(new Sequencing.Counted(0, Map.of(table, 3L))),
                Map.of(table, 7L));
        assertThat(placement.offset(0, table)).isEqualTo(7L);
        assertThatThrownBy(() -> placement.offset(1, table)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("partition 1");
    }
}
