package io.bronzecdc.bench.report;

import io.bronzecdc.bench.report.BenchReport.Environment;
import io.bronzecdc.bench.report.BenchReport.Workload;
import io.bronzecdc.bench.report.ReportTable.Row;
import io.bronzecdc.bench.report.ReportTable.Side;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** What was run, where and with what: the environment, the PostgreSQL settings, versions and the workload. */
final class RunTables {
    private RunTables() {
    }

    static String title(BenchReport report) {
        Environment env = report.environment();
        return "bronze-cdc benchmark: " + ReportFormat.text(report.mode()) + " run of "
                + ReportFormat.text(report.startedAt()) + ", commit " + ReportFormat.text(env == null ? null
                        : env.gitCommit());
    }

    /** One line under the title: how long the run took and on which server. */
    static String subtitle(BenchReport report) {
        Environment env = report.environment();
        return "The run took " + ReportFormat.seconds(report.wallSeconds()) + " s on " + ReportFormat.text(env == null
                ? null : env.server()) + " PostgreSQL " + ReportFormat.text(env == null ? null : env.postgresVersion())
                + ", bronze-cdc " + ReportFormat.text(env == null ? null : env.bronzeCdcVersion()) + ".";
    }

    static ReportTable machine(Environment env) {
        if (env == null) {
            return ReportTable.keyValue("what", "value", List.of());
        }
        return ReportTable.keyValue("what", "value", List.of(
                Row.of(Side.NONE, "bronze-cdc", env.bronzeCdcVersion()),
                Row.of(Side.NONE, "git commit", env.gitCommit()),
                Row.of(Side.NONE, "Java", env.java()),
                Row.of(Side.NONE, "OS", env.os()),
                Row.of(Side.NONE, "CPU", env.cpuModel()),
                Row.of(Side.NONE, "cores", env.cores() > 0 ? Integer.toString(env.cores()) : null),
                Row.of(Side.NONE, "memory", ReportFormat.gibibytes(env.memoryBytes())),
                Row.of(Side.NONE, "PostgreSQL", env.postgresVersion()),
                Row.of(Side.NONE, "server", env.server())));
    }

    static ReportTable postgresSettings(Environment env) {
        return sorted("setting", env == null ? null : env.postgresSettings());
    }

    static ReportTable versions(Environment env) {
        return sorted("library", env == null ? null : env.versions());
    }

    private static ReportTable sorted(String key, Map<String, String> values) {
        List<Row> rows = values == null ? List.of() : new TreeMap<>(values).entrySet().stream()
                .map(e -> Row.of(Side.NONE, e.getKey(), e.getValue()))
                .toList();
        return ReportTable.keyValue(key, "value", rows);
    }

    static ReportTable workload(Workload w) {
        if (w == null) {
            return ReportTable.keyValue("what", "value", List.of());
        }
        return ReportTable.keyValue("what", "value", List.of(
                Row.of(Side.NONE, "seed", Long.toString(w.seed())),
                Row.of(Side.NONE, "Pagila-shaped tables", "Pagila's row counts × " + w.pagilaScale()),
                Row.of(Side.NONE, "bench_wide rows", ReportFormat.count(w.wideRows())),
                Row.of(Side.NONE, "snapshot rows", ReportFormat.count(w.snapshotRows())),
                Row.of(Side.NONE, "large snapshot (bench_wide rows)", w.largeSnapshotRows() > 0
                        ? ReportFormat.count(w.largeSnapshotRows()) : null),
                Row.of(Side.NONE, "backlog changes", ReportFormat.count(w.backlogChanges())),
                Row.of(Side.NONE, "backlog transaction sizes (rows: share of changes)",
                        transactionSizes(w.backlogSizes())),
                Row.of(Side.NONE, "live rates (changes/s)", w.liveRates().stream().map(ReportFormat::count)
                        .collect(Collectors.joining(", "))),
                Row.of(Side.NONE, "each live rate for", w.liveSeconds() + " s"),
                Row.of(Side.NONE, "live transaction sizes (rows: share of transactions)",
                        transactionSizes(w.transactionSizes())),
                Row.of(Side.NONE, "mix", w.mix()),
                Row.of(Side.NONE, "tables", String.join(", ", w.tables())),
                Row.of(Side.NONE, "Flink checkpoint intervals", String.join(", ", w.checkpointIntervals())),
                Row.of(Side.NONE, "Spark schedule", w.sparkSchedule())));
    }

    private static String transactionSizes(Map<Integer, Double> sizes) {
        if (sizes == null || sizes.isEmpty()) {
            return null;
        }
        return new TreeMap<>(sizes).entrySet().stream()
                .map(e -> ReportFormat.count(e.getKey()) + ": " + String.format(Locale.ROOT, "%.1f%%",
                        e.getValue() == null ? Double.NaN : e.getValue() * 100))
                .collect(Collectors.joining(", "));
    }

    /**
     * The command that repeats the run with the same workload: the mode, the seed, and the pipelines if not the
     * mode's own ({@link BenchReport.Pipeline#ofMode}).
     */
    static String repeatCommand(BenchReport report) {
        StringBuilder command = new StringBuilder("bin/bronze-cdc bench --").append(ReportFormat.text(report.mode()));
        Workload w = report.workload();
        if (w != null) {
            command.append(" --seed ").append(w.seed());
            // Every size, so the command repeats this run even when it was sized by hand.
            if (w.pagilaScale() > 0) {
                command.append(" --pagila-scale ").append(w.pagilaScale());
            }
            if (w.wideRows() > 0) {
                command.append(" --wide-rows ").append(w.wideRows());
            }
            command.append(" --snapshot-rows ").append(w.largeSnapshotRows());
            if (w.backlogChanges() > 0) {
                command.append(" --backlog ").append(w.backlogChanges());
            }
            if (w.liveRates() != null && !w.liveRates().isEmpty()) {
                command.append(" --rates ").append(w.liveRates().stream().map(String::valueOf)
                        .collect(Collectors.joining(",")));
            }
            if (w.liveSeconds() > 0) {
                command.append(" --duration ").append(w.liveSeconds());
            }
        }
        List<String> pipelines = ReportTables.pipelines(report);
        if (!pipelines.isEmpty() && !pipelines.equals(BenchReport.Pipeline.ofMode(report.mode()))) {
            command.append(" --pipelines ").append(String.join(",", pipelines));
        }
        return command.toString();
    }
}
