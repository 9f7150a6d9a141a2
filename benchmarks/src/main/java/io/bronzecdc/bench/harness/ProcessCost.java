package io.bronzecdc.bench.harness;

import io.bronzecdc.bench.report.BenchReport.Cost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Samples a pipeline's processes (a JVM and everything it started) from {@code /proc} every
 * {@value #SAMPLE_MILLIS} ms: the highest summed resident set size, and the CPU time (user + system) they used
 * between {@link #start} and {@link #stop}. Linux only; elsewhere both stay 0.
 */
public final class ProcessCost implements AutoCloseable {
    static final long SAMPLE_MILLIS = 200;
    /** USER_HZ: the unit of utime and stime in {@code /proc/<pid>/stat}; 100 on every Linux this runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final ProcessHandle root;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "process-cost");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<Long, Long> startTicks = new HashMap<>();
    private final Map<Long, Long> lastTicks = new HashMap<>();
    private long peakRss;

    private ProcessCost(ProcessHandle root) {
        this.root = root;
    }

    /** Starts sampling {@code pid} and its descendants. */
    public static ProcessCost start(long pid) {
        ProcessCost cost = new ProcessCost(ProcessHandle.of(pid).orElseThrow(
                () -> new IllegalStateException("process " + pid + " is not running")));
        cost.sample();
        cost.sampler.scheduleAtFixedRate(cost::sample, SAMPLE_MILLIS, SAMPLE_MILLIS, TimeUnit.MILLISECONDS);
        return cost;
    }

    private synchronized void sample() {
        long rss = 0;
        for (ProcessHandle process : (Iterable<ProcessHandle>) Stream.concat(Stream.of(root), root.descendants())
                ::iterator) {
            long pid = process.pid();
            long[] sample = read(pid);
            if (sample == null) {
                continue;
            }
            startTicks.putIfAbsent(pid, sample[0]);
            lastTicks.put(pid, sample[0]);
            rss += sample[1];
        }
        peakRss = Math.max(peakRss, rss);
    }

    /** utime + stime in ticks and the resident set in bytes, or {@code null} when the process is gone. */
    private static long[] read(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            long rssPages = Long.parseLong(fields[21]);
            return new long[] {ticks, rssPages * 4096};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Stops sampling and returns the cost since {@link #start}. */
    public synchronized Cost stop() {
        sampler.shutdownNow();
        sample();
        long ticks = 0;
        for (Map.Entry<Long, Long> entry : lastTicks.entrySet()) {
            ticks += entry.getValue() - startTicks.get(entry.getKey());
        }
        return new Cost(peakRss, ticks / TICKS_PER_SECOND);
    }

    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
