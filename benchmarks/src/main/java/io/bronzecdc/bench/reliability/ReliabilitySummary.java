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
 * @param runRows one line per run: index, fault, phase, seed, outcome, recovery seconds, reconnects, in-doubt
 *     commits, engine starts, what the check found
 */
public record ReliabilitySummary(String mode, long seed, int runs, int passed, Map<String, Integer> faults,
        long changesChecked, long lost, long duplicated, long unexpected, long outOfOrder, double recoveryP50Seconds,
        double recoveryMaxSeconds, double seconds, List<Map<String, Object>> runRows) {

    static ReliabilitySummary of(ReliabilitySuite.Plan plan, List<Result> results, Duration took) {
        Map<String, Integer> faults = new LinkedHashMap<>();
        List<Double> recoveries = new ArrayList<>();
        List<Map<String, Object>> rows = new ArrayList<>();
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
        return new ReliabilitySummary(plan.mode(), plan.seed(), results.size(), passed, faults, checked, lost,
                duplicated, unexpected, outOfOrder, p50, max, took.toMillis() / 1000.0, rows);
    }

    /** Whether every run completed and its check found nothing. */
    public boolean allPassed() {
        return passed == runs;
    }

    /** The summary as the suite prints it. */
    public String text() {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "reliability (%s, seed %d): %d of %d runs passed in %.0f s%n", mode,
                seed, passed, runs, seconds));
        text.append("faults injected: ").append(faults.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .reduce((a, b) -> a + ", " + b).orElse("none")).append('\n');
        text.append(String.format(Locale.ROOT, "changes checked %,d: lost %d, duplicated %d, unexpected %d, out of"
                + " order %d%n", changesChecked, lost, duplicated, unexpected, outOfOrder));
        text.append(String.format(Locale.ROOT, "recovery (fault to bronze holding every change committed up to just"
                + " after it): p50 %.1f s, max %.1f s%n", recoveryP50Seconds, recoveryMaxSeconds));
        for (Map<String, Object> row : runRows) {
            if (!Boolean.TRUE.equals(row.get("passed"))) {
                text.append("FAILED run ").append(row.get("run")).append(" (").append(row.get("fault")).append(", seed ")
                        .append(row.get("seed")).append("): ").append(row.get("found")).append('\n');
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
                    row.get("run"), row.get("fault"), row.get("phase"), row.get("parallelism"), row.get("seed"), Boolean.TRUE.equals(row.get("passed"))
                            ? "passed" : "FAILED", row.get("recoverySeconds") == null ? "–" : row.get(
                                    "recoverySeconds"), row.get("workloadReconnects"), row.get("commitsInDoubt"),
                    row.get("engineStarts")));
        }
        return md.toString();
    }

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve("reliability.json")
                .toFile(), this);
        Files.writeString(dir.resolve("reliability.md"), markdown());
    }
}
