package io.bronzecdc.bench.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a soak run watches, every few seconds: how far bronze is behind the committed workload, the engine JVM's
 * used heap ({@code jcmd GC.heap_info}) and resident memory, and the WAL the pipeline's slot makes the server keep.
 */
final class SoakSampler {
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

    /** One sample; -1 where a figure could not be read at that moment. */
    record Sample(double seconds, long behindChanges, long heapUsedMb, long rssMb, long retainedWalMb) {
    }

    private final long pid;
    private final LongSupplier behind;
    private final LongSupplier retainedWalBytes;
    private final long started = System.nanoTime();
    private final List<Sample> samples = new ArrayList<>();

    SoakSampler(long pid, LongSupplier behind, LongSupplier retainedWalBytes) {
        this.pid = pid;
        this.behind = behind;
        this.retainedWalBytes = retainedWalBytes;
    }

    Sample sample() {
        long wal = retainedWalBytes.getAsLong();
        Sample sample = new Sample((System.nanoTime() - started) / 1e9, behind.getAsLong(), heapUsedMb(), rssMb(),
                wal < 0 ? -1 : wal >> 20);
        samples.add(sample);
        return sample;
    }

    List<Sample> samples() {
        return List.copyOf(samples);
    }

    private long heapUsedMb() {
        Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
        try {
            Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.heap_info")
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return -1;
            }
            Matcher used = HEAP_USED.matcher(output);
            return used.find() ? Long.parseLong(used.group(1)) >> 10 : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private long rssMb() {
        try {
            Matcher rss = RSS.matcher(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
            return rss.find() ? Long.parseLong(rss.group(1)) >> 10 : -1;
        } catch (IOException e) {
            return -1;
        }
    }
}
