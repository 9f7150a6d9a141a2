package io.bronzecdc.bench.harness;

import io.bronzecdc.bench.report.BenchReport;
import io.bronzecdc.bench.report.BenchReport.Integrity;
import io.bronzecdc.bench.report.ReportJson;
import io.bronzecdc.cli.engine.ProjectLayout;
import io.bronzecdc.model.ExitCode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bronze-cdc bench}: the end-to-end harness in a JVM of its own (the command hands over to it). It prints
 * progress, writes the report (JSON, Markdown, HTML) and exits 0, or 4 when one of our engines failed an integrity
 * check (a peer's failure is reported, not an exit code), 2 on bad input, 1 when the run itself failed.
 */
@Command(name = "bronze-cdc bench", mixinStandardHelpOptions = true,
        description = {"Measures both engines and two peers (a plain Flink CDC job, the Debezium embedded engine)"
                + " on one seeded workload, beside this machine's ceiling measured in the same run, and writes a"
                + " report: report.json, report.md and report.html with charts.",
                "It starts its own PostgreSQL servers (embedded) and every pipeline in a JVM of its own."},
        footer = {"", "Exit codes: 0 done (our engines' integrity passed), 1 the run failed, 2 bad input,"
                + " 4 an integrity check of our engines failed."})
public final class BenchMain implements Callable<Integer> {
    /** The seed when none is given; any other gives other rows and other transactions. */
    public static final long DEFAULT_SEED = 20_261_202L;

    static final class Mode {
        @Option(names = "--smoke", description = "A few minutes: every pipeline once, small sizes (the default).")
        boolean smoke;

        @Option(names = "--full", description = "The real measurement, about an hour here: a 5M-row snapshot, rates"
                + " 1k/5k/20k changes/s, two checkpoint intervals, a 500k-change backlog, bronze also in a separate"
                + " server.")
        boolean full;
    }

    @ArgGroup(exclusive = true)
    private Mode mode;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the report and every process's output go"
            + " (default: bench-reports/<mode>-<time> in the current directory).")
    private Path out;

    @Option(names = "--seed", description = "The workload seed (default ${DEFAULT-VALUE}).")
    private long seed = DEFAULT_SEED;

    @Option(names = "--pipelines", split = ",", paramLabel = "NAME",
            description = "Only these pipelines, comma-separated: flink, spark, flink-cdc, debezium (default: all).")
    private List<String> pipelines;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        boolean full = mode != null && mode.full;
        BenchPlan plan = full ? BenchPlan.full(seed) : BenchPlan.smoke(seed);
        if (pipelines != null) {
            for (String pipeline : pipelines) {
                if (!BenchPlan.ALL_PIPELINES.contains(pipeline)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--pipelines: unknown pipeline '"
                            + pipeline + "'; choose from " + String.join(", ", BenchPlan.ALL_PIPELINES));
                }
            }
            plan = plan.withPipelines(pipelines);
        }
        Path dir = out != null ? out : Path.of("bench-reports", plan.mode() + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        ProjectLayout layout = ProjectLayout.fromSystemProperties();
        PrintWriter printer = spec.commandLine().getOut();
        printer.printf("bronze-cdc bench --%s: seed %d, pipelines %s, output in %s%n", plan.mode(), plan.seed(),
                String.join(", ", plan.pipelines()), dir.toAbsolutePath());
        printer.flush();
        BenchReport report = new Harness(plan, layout, dir, System.out).run();
        Files.createDirectories(dir);
        List<Path> files = ReportWriter.write(report, dir);
        printer.println();
        for (Integrity integrity : report.integrity()) {
            printer.printf("integrity %-10s %-16s %s (%,d bronze rows)%n", integrity.pipeline(), integrity.placement(),
                    integrity.passed() ? "passed" : "FAILED", integrity.bronzeRows());
        }
        printer.printf("report: %s%n", String.join(", ", files.stream().map(Path::toString).toList()));
        printer.flush();
        return report.oursIntact() ? ExitCode.SUCCESS.code() : ExitCode.CHECK_FAILED.code();
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new BenchMain());
        cli.setParameterExceptionHandler((e, arguments) -> {
            e.getCommandLine().getErr().println("bronze-cdc bench: " + e.getMessage()
                    + "; bronze-cdc bench --help lists the options");
            return ExitCode.NOT_READY.code();
        });
        System.exit(cli.execute(args));
    }

    /** Writes the report files; the renderer's entry once it lands. */
    static final class ReportWriter {
        private ReportWriter() {
        }

        static List<Path> write(BenchReport report, Path dir) throws java.io.IOException {
            Path json = dir.resolve("report.json");
            ReportJson.write(report, json);
            return List.of(json);
        }
    }
}
