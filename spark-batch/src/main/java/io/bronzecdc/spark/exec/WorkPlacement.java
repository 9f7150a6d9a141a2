package io.bronzecdc.spark.exec;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.collection.Iterator;

/**
 * Where the work of a run ran: named accumulators that the tasks add their rows to, and a listener that records
 * which executors' tasks updated each. The run's summary prints it ({@link #describe()}), so a user sees the
 * snapshot read, the encoding and the writes spread over executors; the Spark UI shows the same accumulators per
 * stage. A partition computed twice (a stage run again after an executor was lost) counts once, where it ran
 * last. In {@code local[*]} mode the executor is called {@code driver}, as Spark names it.
 */
public final class WorkPlacement extends SparkListener {
    /** Snapshot rows read from the source inside the exported snapshot. */
    public static final String SNAPSHOT_READ = "bronze: snapshot rows read";
    /** Rows whose {@code full_row} was encoded by the shared codec (snapshot and stream). */
    public static final String ENCODED = "bronze: rows encoded";
    /** Rows COPYed into the stage table. */
    public static final String STAGED = "bronze: rows staged";

    private final Map<String, Map<String, Done>> byWork = new ConcurrentHashMap<>();
    private final SparkContext context;
    private final Counters counters;

    private WorkPlacement(SparkContext context) {
        this.context = context;
        this.counters = newCounters(context);
    }

    /**
     * New accumulators with the names this listener follows, for tasks planned outside a run (a streaming source's
     * reader): the listener attributes work by accumulator name, so their updates count in whatever run follows.
     */
    public static Counters newCounters(SparkContext context) {
        return new Counters(context.longAccumulator(SNAPSHOT_READ), context.longAccumulator(ENCODED),
                context.longAccumulator(STAGED));
    }

    /** Registers a new placement record with {@code context} for one run; {@link #close()} removes it. */
    public static WorkPlacement start(SparkContext context) {
        WorkPlacement placement = new WorkPlacement(context);
        context.addSparkListener(placement);
        return placement;
    }

    /** The accumulators the run's tasks add to. */
    public Counters counters() {
        return counters;
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        if (taskEnd.taskInfo() == null || !taskEnd.taskInfo().successful()) {
            return;
        }
        String executor = taskEnd.taskInfo().executorId();
        // A partition computed again (a stage re-run after a lost executor) replaces its earlier result.
        String partition = taskEnd.stageId() + "/" + taskEnd.taskInfo().index();
        Iterator<AccumulableInfo> updates = taskEnd.taskInfo().accumulables().iterator();
        while (updates.hasNext()) {
            AccumulableInfo update = updates.next();
            if (update.name().isEmpty() || update.update().isEmpty()) {
                continue;
            }
            String name = update.name().get();
            if ((name.equals(SNAPSHOT_READ) || name.equals(ENCODED) || name.equals(STAGED))
                    && update.update().get() instanceof Long rows && rows > 0) {
                byWork.computeIfAbsent(name, n -> new ConcurrentHashMap<>()).put(partition, new Done(executor, rows));
            }
        }
    }

    /** Rows per executor id for one kind of work ({@link #SNAPSHOT_READ}, {@link #ENCODED}, {@link #STAGED}). */
    public Map<String, Long> rowsByExecutor(String work) {
        Map<String, Long> rows = new TreeMap<>();
        byWork.getOrDefault(work, Map.of()).values().forEach(d -> rows.merge(d.executor(), d.rows(), Long::sum));
        return rows;
    }

    /** The executors that did any of the work. */
    public Set<String> executors() {
        Set<String> all = new TreeSet<>();
        byWork.values().forEach(m -> m.values().forEach(d -> all.add(d.executor())));
        return all;
    }

    /**
     * One line: for each kind of work, the rows per executor, such as {@code snapshot rows read on executors
     * {0=16021, 1=16671}}.
     */
    public String describe() {
        StringBuilder text = new StringBuilder();
        for (String work : new String[] {SNAPSHOT_READ, ENCODED, STAGED}) {
            Map<String, Long> rows = rowsByExecutor(work);
            if (!rows.isEmpty()) {
                text.append(text.length() == 0 ? "" : "; ").append(work.substring("bronze: ".length()))
                        .append(" on executors ").append(rows);
            }
        }
        return text.length() == 0 ? "no rows read, encoded or staged" : text.toString();
    }

    /** Stops listening. Spark delivers events asynchronously: call after the run's jobs ended. */
    public void close() {
        try {
            context.listenerBus().waitUntilEmpty();
        } catch (java.util.concurrent.TimeoutException e) {
            // the summary may miss the last tasks; the run's data does not depend on it
        }
        context.removeSparkListener(this);
    }

    /** The last successful computation of one partition: where, and how many rows. */
    private record Done(String executor, long rows) {
    }

    /** The accumulators, shipped inside the tasks. */
    public record Counters(LongAccumulator snapshotRead, LongAccumulator encoded, LongAccumulator staged)
            implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
    }
}
