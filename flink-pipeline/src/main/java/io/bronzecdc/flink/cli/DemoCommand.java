package io.bronzecdc.flink.cli;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.postgres.EmbeddedPostgresServer;
import io.bronzecdc.model.source.PagilaGenerator;
import io.bronzecdc.model.source.PagilaLoader;
import io.bronzecdc.model.source.PagilaTable;
import io.bronzecdc.model.source.SourceSchema;
import io.bronzecdc.model.validate.ValidationReport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bronze-cdc demo}: the main job on the embedded default. Starts a real PostgreSQL server (embedded,
 * logical replication on), loads the Pagila rows (the files when present, generated Pagila-shaped rows
 * otherwise), runs the streaming job in-process while a live workload changes all three tables, shows progress,
 * and ends with the validation report of the bronze log. Exit code 0 when every check passes.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs bronze-cdc on an embedded PostgreSQL with the Pagila rows: no setup needed.")
final class DemoCommand implements Callable<Integer> {
    /** Where the bin script says the checkout is; the Pagila files are looked for beside it. */
    static final String HOME_PROPERTY = "bronze.home";

    @Option(names = "--pagila-dir", paramLabel = "DIR",
            description = "Directory with customer.copy, payment.copy and rental.copy (default: ../shared/pagila"
                    + " beside the checkout when present, else generated rows).")
    private Path pagilaDir;

    @Option(names = "--generate", description = "Use generated Pagila-shaped rows even when the files are present.")
    private boolean generate;

    @Option(names = "--seed", defaultValue = "20261125", paramLabel = "N",
            description = "Seed of the generated rows and of the live workload (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--duration", defaultValue = "15s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long the live workload runs (default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(names = "--rate", defaultValue = "200", paramLabel = "TX_PER_SECOND",
            description = "Live workload transactions per second, each of 1..4 changes (default: ${DEFAULT-VALUE}).")
    private int rate;

    @Option(names = "--bronze-schema", defaultValue = BronzeSchema.DEFAULT_NAME, paramLabel = "NAME",
            description = "Bronze schema to write (default: ${DEFAULT-VALUE}).")
    private String bronzeSchema;

    @Spec
    private CommandSpec spec;

    /** Exit code after Ctrl-C, as shells report SIGINT. */
    static final int EXIT_INTERRUPTED = 130;
    private static final long SHUTDOWN_WAIT_MILLIS = 20_000;

    private final AtomicBoolean interrupted = new AtomicBoolean();

    @Override
    public Integer call() throws Exception {
        Thread main = Thread.currentThread();
        Thread onCtrlC = new Thread(() -> {
            interrupted.set(true);
            main.interrupt();
            try {
                main.join(SHUTDOWN_WAIT_MILLIS); // let the demo cancel its job and stop the server in order
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bronze-cdc-demo-interrupt");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            return demo();
        } catch (Exception | Error e) {
            if (!interrupted.get()) {
                throw e;
            }
            spec.commandLine().getErr().println("bronze-cdc demo: stopped by Ctrl-C; the job was cancelled and the"
                    + " embedded server shut down.");
            spec.commandLine().getErr().flush();
            return EXIT_INTERRUPTED;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onCtrlC);
            } catch (IllegalStateException shuttingDown) {
                // already running
            }
        }
    }

    private int demo() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        BronzeSchema schema = new BronzeSchema(bronzeSchema);
        Optional<Path> files = generate ? Optional.empty() : pagilaFiles();
        out.println("bronze-cdc demo: starting an embedded PostgreSQL 17 (wal_level=logical)...");
        out.flush();
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start()) {
            server.createDatabase("pagila");
            out.printf("  source:  %s%n", server.jdbcUrl("pagila"));
            try (Connection c = server.connect("pagila")) {
                SourceSchema.create(c);
                Map<PagilaTable, Long> loaded = files.isPresent()
                        ? PagilaLoader.loadFiles(c, files.get())
                        : PagilaLoader.loadGenerated(c, PagilaGenerator.withPagilaCounts(seed));
                out.printf("  loaded:  %s%n", files.map(f -> "Pagila files of " + f)
                        .orElse("generated Pagila-shaped rows (seed " + seed + ")"));
                loaded.forEach((table, rows) -> out.printf("           %-9s %,7d rows%n", table.id().name(), rows));
                out.flush();
                DemoRun run = new DemoRun(server, schema, out);
                ValidationReport report = run.execute(c, loaded, new DemoRun.Workload(seed, duration, rate));
                out.println();
                out.print(report.toText());
                out.flush();
                return report.passed() ? 0 : 1;
            }
        }
    }

    private Optional<Path> pagilaFiles() {
        if (pagilaDir != null) {
            return Optional.of(pagilaDir); // the loader names any missing file
        }
        String home = System.getProperty(HOME_PROPERTY);
        Path beside = Path.of(home == null ? "." : home).resolve("../shared/pagila").normalize();
        return Files.isReadable(beside.resolve("payment.copy")) ? Optional.of(beside) : Optional.empty();
    }
}
