package io.bronzecdc.bench.harness;

import io.bronzecdc.bench.reliability.ReliabilitySuite;
import io.bronzecdc.bench.reliability.ReliabilitySummary;
import io.bronzecdc.bench.report.BenchReport;
import io.bronzecdc.bench.report.BenchReport.Integrity;
import io.bronzecdc.bench.report.ReportFiles;
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
            description = "Only these pipelines, comma-separated: flink, flink-cdc-source (our Flink job with"
                    + " source.connector: flink-cdc), spark, flink-cdc (the plain Flink CDC peer), debezium (default:"
                    + " all; --smoke leaves out flink-cdc-source).")
    private List<String> pipelines;

    @Option(names = "--server", paramLabel = "HOST:PORT", description = "Run on this PostgreSQL server instead of an"
            + " embedded one (wal_level=logical; the role needs CREATEDB and REPLICATION). The harness creates and"
            + " drops its own databases bench_* there.")
    private String server;

    @Option(names = "--user", description = "The role on --server (default ${DEFAULT-VALUE}).")
    private String user = "postgres";

    @Option(names = "--password-env", paramLabel = "VAR", description = "The environment variable holding the"
            + " role's password (--server).")
    private String passwordEnv;

    @Option(names = "--password-file", paramLabel = "FILE", description = "The file holding the role's password"
            + " (--server).")
    private Path passwordFile;

    @Option(names = "--pagila-scale", paramLabel = "N", description = "The Pagila-shaped tables hold Pagila's row"
            + " counts times N (default 1: 599 customers, 16049 payments, 16044 rentals).")
    private Integer pagilaScale;

    @Option(names = "--wide-rows", paramLabel = "N", description = "Rows of bench_wide the change scenarios start"
            + " from (smoke 20000, full 200000).")
    private Long wideRows;

    @Option(names = "--snapshot-rows", paramLabel = "N", description = "Rows of the large-snapshot table (full"
            + " 5000000; 0 measures the snapshot on the change scenarios' tables).")
    private Long snapshotRows;

    @Option(names = "--backlog", paramLabel = "N", description = "Changes in the backlog (smoke 62000, full 500000).")
    private Long backlog;

    @Option(names = "--rates", split = ",", paramLabel = "N", description = "Offered rates in changes/s,"
            + " comma-separated (smoke 500, full 1000,5000,20000).")
    private List<Integer> rates;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "How long each rate is offered, in seconds"
            + " (smoke 8, full 30).")
    private Long duration;

    @Option(names = "--reliability", description = "Run the reliability suite instead: faults injected into both"
            + " engines (Flink JVM killed, on a session cluster the TaskManager or JobManager killed or a"
            + " savepoint taken, Spark run killed, PostgreSQL fast and immediate restarts, a slot invalidated while"
            + " the pipeline was down) under a seeded workload, every change checked; short by default (five"
            + " runs, a few minutes); --full: 20 Flink process faults (TaskManager, JobManager, savepoint, JVM),"
            + " 10 Spark process faults (driver, executor), 2 of each restart (PostgreSQL fast and immediate,"
            + " bronze's server) under each engine, and one slot loss each (44 runs, about an hour; run it in"
            + " parts with --faults). Writes reliability.json and reliability.md.")
    private boolean reliability;

    @Option(names = "--faults", split = ",", paramLabel = "FAULT", description = "With --reliability: only runs of"
            + " these faults: flink-kill, flink-postgres-fast, flink-postgres-immediate, spark-kill,"
            + " spark-postgres-fast, spark-postgres-immediate, flink-slot-lost, spark-slot-lost,"
            + " flink-taskmanager-kill, flink-jobmanager-kill, flink-savepoint (these three on a session"
            + " cluster), flink-target-restart, spark-target-restart (bronze in a separate server, restarted),"
            + " spark-executor-kill (on a standalone cluster with two Workers).")
    private List<String> faults;

    @Option(names = "--phase", paramLabel = "PHASE", description = "With --reliability: every fault in this phase,"
            + " snapshot or stream (default: the plan's; --full draws one per run from the seed).")
    private String phase;

    @Option(names = "--flink-runs", paramLabel = "N", description = "With --reliability --full: Flink process"
            + " faults (default ${DEFAULT-VALUE}).")
    private int flinkRuns = 20;

    @Option(names = "--spark-runs", paramLabel = "N", description = "With --reliability --full: Spark process"
            + " faults (default ${DEFAULT-VALUE}).")
    private int sparkRuns = 10;

    @Option(names = "--restart-runs", paramLabel = "N", description = "With --reliability --full: runs of each"
            + " restart under each engine (default ${DEFAULT-VALUE}).")
    private int restartRuns = 2;

    @Option(names = "--soak-minutes", paramLabel = "N", description = "With --reliability: instead of faults, one"
            + " Flink run streaming the workload for N minutes (the issue's soak: 30) while bronze's lag, the JVM's heap"
            + " and the slot's retained WAL are sampled; soak.png charts them.")
    private Integer soakMinutes;

    @Option(names = "--soak-rate", paramLabel = "TX_PER_S", description = "With --soak-minutes: workload transactions"
            + " per second, 1-4 changes each (default ${DEFAULT-VALUE}).")
    private int soakRate = 200;

    @Option(names = "--render", paramLabel = "REPORT_JSON", description = "Measure nothing: write report.md and"
            + " report.html again from a report.json (into --out, default the JSON's directory).")
    private Path render;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    private Harness.ServerFactory servers() {
        if (server == null) {
            if (passwordEnv != null || passwordFile != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--password-env and --password-file"
                        + " go with --server (the embedded server needs no password)");
            }
            return dir -> BenchServer.embedded(dir.resolve("source-password"));
        }
        int colon = server.lastIndexOf(':');
        int port;
        try {
            port = colon < 0 ? 5432 : Integer.parseInt(server.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--server: '" + server + "' is not HOST:PORT"
                    + " (for example db.example.internal:5432)");
        }
        if ((passwordEnv == null) == (passwordFile == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--server needs exactly one of"
                    + " --password-env VAR and --password-file FILE (the password never goes on the command line)");
        }
        String host = colon < 0 ? server : server.substring(0, colon);
        return dir -> BenchServer.given(host, port, user, passwordEnv, passwordFile);
    }

    @Override
    public Integer call() throws Exception {
        if (render != null) {
            return rerender();
        }
        boolean full = mode != null && mode.full;
        if (reliability) {
            return reliability(full);
        }
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
        try {
            plan = plan.withSizes(pagilaScale, wideRows, snapshotRows, backlog, rates,
                    duration == null ? null : java.time.Duration.ofSeconds(duration));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Harness.ServerFactory servers = servers();
        Path dir = out != null ? out : Path.of("bench-reports", plan.mode() + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        ProjectLayout layout = ProjectLayout.fromSystemProperties();
        PrintWriter printer = spec.commandLine().getOut();
        printer.printf("bronze-cdc bench --%s: seed %d, pipelines %s, output in %s%n", plan.mode(), plan.seed(),
                String.join(", ", plan.pipelines()), dir.toAbsolutePath());
        printer.flush();
        BenchReport report = new Harness(plan, layout, servers, dir, System.out).run();
        Files.createDirectories(dir);
        List<Path> files = ReportFiles.write(report, dir).all();
        printer.println();
        for (Integrity integrity : report.integrity()) {
            printer.printf("integrity %-16s %-16s %s (%,d bronze rows)%n", integrity.pipeline(), integrity.placement(),
                    integrity.passed() ? "passed" : "FAILED", integrity.bronzeRows());
        }
        printer.printf("report: %s%n", String.join(", ", files.stream().map(Path::toString).toList()));
        printer.flush();
        return report.oursIntact() ? ExitCode.SUCCESS.code() : ExitCode.CHECK_FAILED.code();
    }

    /** {@code --reliability}: the fault suite on an embedded server; exit 4 when a run lost, doubled or reordered. */
    private int reliability(boolean full) throws Exception {
        if (server != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--reliability runs on an embedded server it"
                    + " starts (it must stop and start the server): leave out --server");
        }
        if (soakMinutes != null && (soakMinutes < 1 || soakRate < 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--soak-minutes and --soak-rate must be"
                    + " positive (for example --soak-minutes 30 --soak-rate 200)");
        }
        if (flinkRuns < 0 || sparkRuns < 0 || restartRuns < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--flink-runs, --spark-runs and"
                    + " --restart-runs must be 0 or more (0 leaves that part out)");
        }
        ReliabilitySuite.Plan plan = soakMinutes != null ? ReliabilitySuite.Plan.soak(seed, soakMinutes, soakRate)
                : full ? ReliabilitySuite.Plan.fullPlan(seed, flinkRuns, sparkRuns, restartRuns)
                : ReliabilitySuite.Plan.shortPlan(seed);
        if (faults != null) {
            try {
                plan = plan.only(faults);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--faults: " + e.getMessage());
            }
        }
        if (phase != null) {
            if (!phase.equals("snapshot") && !phase.equals("stream")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--phase: '" + phase + "' is neither"
                        + " snapshot nor stream");
            }
            plan = plan.inPhase(phase);
        }
        Path dir = out != null ? out : Path.of("bench-reports", "reliability-" + plan.mode() + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        ReliabilitySummary summary = new ReliabilitySuite(plan, ProjectLayout.fromSystemProperties(), dir, System.out)
                .run();
        return summary.allPassed() ? ExitCode.SUCCESS.code() : ExitCode.CHECK_FAILED.code();
    }

    /** {@code --render}: the renderer's own entry, which checks the file and says what is wrong with it. */
    private int rerender() {
        List<String> arguments = out == null ? List.of(render.toString()) : List.of(render.toString(),
                out.toString());
        return ReportFiles.run(arguments.toArray(String[]::new), System.out, System.err);
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
}
