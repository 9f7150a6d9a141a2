package io.bronzecdc.bench.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.bronzecdc.bench.reliability.FaultRun.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the suite prints and the README quotes: runs, faults injected by kind, changes checked, lost, duplicated, out
 * of order, recovery time p50 and max; written as {@code reliability.json} and {@code reliability.md}.
 *
 * @param commit the commit the suite ran from ({@code +uncommitted} when the tree differed from it)
 * @param runRows one line per run: index, fault, phase, seed, outcome, recovery seconds, reconnects, in-doubt
 *     commits, engine starts, what the check found
 * @param soak the soak run's samples (empty without one)
 */
public record ReliabilitySummary(String mode, long seed, String commit, int runs, int passed,
        Map<String, Integer> faults, long changesChecked, long lost, long duplicated, long unexpected, long outOfOrder,
        double recoveryP50Seconds, double recoveryMaxSeconds, double seconds, List<Map<String, Object>> runRows,
        List<SoakSampler.Sample> soak) {

    static ReliabilitySummary of(ReliabilitySuite.Plan plan, String commit, List<Result> results, Duration took) {
        Map<String, Integer> faults = new LinkedHashMap<>();
        List<Double> recoveries = new ArrayList<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        List<SoakSampler.Sample> soak = new ArrayList<>();
        long checked = 0;
        long lost = 0;
        long duplicated = 0;
        long unexpected = 0;
        long outOfOrder = 0;
        int passed = 0;
        for (Result r : results) {
            faults.merge(r.fault().label(), 1, Integer::sum);
            if (r.recovery() != null) {
                recoveries.add(r.recovery().toMillis() / 1000.0);
            }
            if (r.verdict() != null) {
                checked += r.verdict().checked();
                lost += r.verdict().lost();
                duplicated += r.verdict().duplicated();
                unexpected += r.verdict().unexpected();
                outOfOrder += r.verdict().outOfOrder();
            }
            passed += r.passed() ? 1 : 0;
            soak.addAll(r.samples());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("run", r.index());
            row.put("fault", r.fault().label());
            row.put("phase", r.phase().name().toLowerCase(Locale.ROOT));
            row.put("parallelism", r.parallelism());
            row.put("seed", r.seed());
            row.put("passed", r.passed());
            row.put("recoverySeconds", r.recovery() == null ? null : r.recovery().toMillis() / 1000.0);
            row.put("workloadReconnects", r.reconnects());
            row.put("commitsInDoubt", r.inDoubt());
            row.put("engineStarts", r.engineStarts());
            row.put("found", r.failure() != null ? "run failed: " + r.failure() : r.verdict().describe());
            rows.add(row);
        }
        recoveries.sort(Double::compare);
        double p50 = recoveries.isEmpty() ? 0 : recoveries.get((recoveries.size() - 1) / 2);
        double max = recoveries.isEmpty() ? 0 : recoveries.get(recoveries.size() - 1);
        return new ReliabilitySummary(plan.mode(), plan.seed(), commit, results.size(), passed, faults, checked, lost,
                duplicated, unexpected, outOfOrder, p50, max, took.toMillis() / 1000.0, rows, soak);
    }

    /** Whether every run completed and its check found nothing. */
    public boolean allPassed() {
        return passed == runs;
    }

    /** The summary as the suite prints it. */
    public String text() {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "reliability (%s, seed %d, commit %s): %d of %d runs passed in %.0f"
                + " s%n", mode, seed, commit, passed, runs, seconds));
        text.append("faults injected: ").append(faults.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .reduce((a, b) -> a + ", " + b).orElse("none")).append('\n');
        text.append(String.format(Locale.ROOT, "changes checked %,d: lost %d, duplicated %d, unexpected %d, out of"
                + " order %d%n", changesChecked, lost, duplicated, unexpected, outOfOrder));
        boolean recovered = runRows.stream().anyMatch(row -> row.get("recoverySeconds") != null);
        text.append(recovered ? String.format(Locale.ROOT, "recovery (fault to bronze holding every change committed"
                + " up to just after it): p50 %.1f s, max %.1f s%n", recoveryP50Seconds, recoveryMaxSeconds)
                : "recovery: none measured (no run recovered from a fault)\n");
        if (!soak.isEmpty()) {
            text.append(soakText());
        }
        for (Map<String, Object> row : runRows) {
            if (!Boolean.TRUE.equals(row.get("passed"))) {
                text.append("FAILED run ").append(row.get("run")).append(" (").append(row.get("fault"))
                        .append(", seed ").append(row.get("seed")).append("): ").append(row.get("found")).append('\n');
            }
        }
        return text.toString();
    }

    /** The Markdown report: the summary and one table row per run. */
    String markdown() {
        StringBuilder md = new StringBuilder("# Reliability suite\n\n```\n").append(text()).append("```\n\n");
        md.append("| run | fault | phase | parallelism | seed | outcome | recovery, s | workload reconnects |"
                + " commits in doubt | engine starts |\n| ---: | --- | --- | ---: | ---: | --- | ---: | ---: | ---: |"
                + " ---: |\n");
        for (Map<String, Object> row : runRows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    row.get("run"), row.get("fault"), row.get("phase"), row.get("parallelism"), row.get("seed"),
                    Boolean.TRUE.equals(row.get("passed")) ? "passed" : "FAILED",
                    row.get("recoverySeconds") == null ? "–" : row.get("recoverySeconds"),
                    row.get("workloadReconnects"), row.get("commitsInDoubt"), row.get("engineStarts")));
        }
        if (!soak.isEmpty()) {
            md.append("\n![Soak: heap, RSS, retained WAL and changes not yet in bronze over time](soak.png)\n");
        }
        return md.toString();
    }

    /**
     * The soak in one line: heap in the first and the last tenth of the run (averages: flat when they are close),
     * the highest heap, RSS, retained WAL and backlog.
     */
    private String soakText() {
        int tenth = Math.max(1, soak.size() / 10);
        double heapFirst = soak.subList(0, tenth).stream().mapToLong(SoakSampler.Sample::heapUsedMb).average()
                .orElse(-1);
        double heapLast = soak.subList(soak.size() - tenth, soak.size()).stream()
                .mapToLong(SoakSampler.Sample::heapUsedMb).average().orElse(-1);
        return String.format(Locale.ROOT, "soak: %d samples over %.0f min; heap %.0f MB in the first tenth, %.0f MB"
                + " in the last, max %d MB; RSS max %d MB; retained WAL max %d MB; not yet in bronze max %,d changes%n",
                soak.size(), soak.get(soak.size() - 1).seconds() / 60, heapFirst, heapLast,
                soak.stream().mapToLong(SoakSampler.Sample::heapUsedMb).max().orElse(-1),
                soak.stream().mapToLong(SoakSampler.Sample::rssMb).max().orElse(-1),
                soak.stream().mapToLong(SoakSampler.Sample::retainedWalMb).max().orElse(-1),
                soak.stream().mapToLong(SoakSampler.Sample::behindChanges).max().orElse(-1));
    }

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("reliability.json")
                .toFile(), this);
        if (!soak.isEmpty()) {
            Files.write(dir.resolve("soak.png"), SoakChart.png(soak));
        }
        Files.writeString(dir.resolve("reliability.md"), markdown());
    }
}
