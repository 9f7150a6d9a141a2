package io.bronzecdc.spark.exec;

import io.bronzecdc.model.event.TableId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dense per-table lsn without a sort or a shuffle. Each task numbers its own rows, per table, 1, 2, ... in the
 * order it reads them ({@link Local}); the driver then places the tasks one after the other in partition order: a
 * task's rows of a table follow the table's current {@code max(lsn)} plus the rows of that table in the partitions
 * before it ({@link #place}), the prefix sums of the per-partition counts. Partition order is the stream's order (the
 * stream is one partition) or the snapshot chunks' order (one partition per chunk), so the lsn follow the source.
 * An event takes its place the same way: after its table's last change before it in its task, plus the task's
 * offset.
 */
public final class Sequencing {
    private Sequencing() {
    }

    /** One task's numbering: each table's changes counted in the order the task meets them. */
    public static final class Local {
        private final Map<TableId, long[]> counts = new HashMap<>();
        private final LinkedHashMap<TableId, Long> order = new LinkedHashMap<>();

        /** The task's number of {@code table}'s next change: 1 for its first. */
        public long next(TableId table) {
            long[] count = counts.get(table);
            if (count == null) {
                count = new long[1];
                counts.put(table, count);
                order.put(table, 0L);
            }
            return ++count[0];
        }

        /** The task's number of {@code table}'s last change so far, 0 before its first. */
        public long current(TableId table) {
            long[] count = counts.get(table);
            return count == null ? 0 : count[0];
        }

        /** The changes counted per table, in the order the tables first appeared. */
        public LinkedHashMap<TableId, Long> counts() {
            LinkedHashMap<TableId, Long> result = new LinkedHashMap<>();
            order.keySet().forEach(table -> result.put(table, counts.get(table)[0]));
            return result;
        }
    }

    /** What one task counted: its partition, and its changes per table. */
    public record Counted(int partition, Map<TableId, Long> rows) {
    }

    /**
     * Places the tasks in partition order.
     *
     * @param tasks one per partition
     * @param bases each table's {@code max(lsn)} before the run (0 or absent when empty)
     * @throws IllegalArgumentException when two tasks name the same partition
     */
    public static Placement place(List<Counted> tasks, Map<TableId, Long> bases) {
        List<Counted> ordered = new ArrayList<>(tasks);
        ordered.sort(Comparator.comparingInt(Counted::partition));
        Map<TableId, Long> running = new HashMap<>(bases);
        Map<Integer, Map<TableId, Long>> offsets = new HashMap<>();
        for (Counted task : ordered) {
            if (offsets.containsKey(task.partition())) {
                throw new IllegalArgumentException("two task results for partition " + task.partition());
            }
            Map<TableId, Long> own = new HashMap<>();
            task.rows().forEach((table, rows) -> {
                long offset = running.getOrDefault(table, 0L);
                own.put(table, offset);
                running.put(table, offset + rows);
            });
            offsets.put(task.partition(), own);
        }
        return new Placement(ordered, offsets, bases);
    }

    /** The tasks placed: each task's offset per table. */
    public static final class Placement {
        private final List<Counted> ordered;
        private final Map<Integer, Map<TableId, Long>> offsets;
        private final Map<TableId, Long> bases;

        private Placement(List<Counted> ordered, Map<Integer, Map<TableId, Long>> offsets, Map<TableId, Long> bases) {
            this.ordered = ordered;
            this.offsets = offsets;
            this.bases = bases;
        }

        /**
         * What to add to the task's own numbers of {@code table} in {@code partition}: the table's base plus its rows
         * in the partitions before.
         */
        public long offset(int partition, TableId table) {
            Map<TableId, Long> own = offsets.get(partition);
            if (own == null) {
                throw new IllegalArgumentException("no task result for partition " + partition);
            }
            Long offset = own.get(table);
            if (offset != null) {
                return offset;
            }
            long sum = bases.getOrDefault(table, 0L);
            for (Counted task : ordered) {
                if (task.partition() >= partition) {
                    break;
                }
                sum += task.rows().getOrDefault(table, 0L);
            }
            return sum;
        }
    }
}
