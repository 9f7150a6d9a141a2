package io.bronzecdc.flink.cli;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.testkit.pagila.PagilaDatabase;
import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bronze-cdc demo}: the main job on the embedded default. Starts a real PostgreSQL server (embedded,
 * logical replication on), loads the Pagila rows (the files when present, generated Pagila-shaped rows
 * otherwise), runs the streaming job in-process while a live workload changes all three tables, shows progress,
 * and ends with the snapshot's reference check, the live changes and the validation report of the bronze log.
 * Exit codes: 0 when every check passes, 1 when one fails, 2 for a usage error (one line per problem, nothing
 * started), 130 after Ctrl-C (the workload, the job and the server stopped in that order).
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
            description = "How long the live workload runs: a whole number and a unit ms, s, m or h"
                    + " (default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(names = "--rate", defaultValue = "200", paramLabel = "TX_PER_SECOND",
            description = "Live workload transactions per second asked, each of 1..4 changes, on up to "
                    + LiveWorkload.MAX_CONNECTIONS + " connections; progress and summary print the rate achieved"
                    + " (default: ${DEFAULT-VALUE}).")
    private int rate;

    @Option(names = "--bronze-schema", defaultValue = BronzeSchema.DEFAULT_NAME, paramLabel = "NAME",
            description = "Bronze schema to write (default: ${DEFAULT-VALUE}).")
    private String bronzeSchema;

    @Option(names = "--keep", description = "Leave the embedded server running after the summary, print how to"
            + " connect to it (source tables and bronze), and stop it on Ctrl-C; the exit code stays the checks'.")
    private boolean keep;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Optional<Path> files = checkOptions();
        PrintWriter err = spec.commandLine().getErr();
        try (StopSignal stop = StopSignal.install(err)) {
            try {
                return demo(files, stop);
            } catch (Exception | Error e) {
                if (!stop.requested()) {
                    throw e;
                }
                // stopping may make a part fail on its way out; the user asked for the stop, so it is not news
            }
            err.println("bronze-cdc demo: stopped by Ctrl-C: the workload stopped, the job was cancelled and the"
                    + " embedded server shut down (exit code " + stop.exitCode() + ").");
            err.flush();
            return stop.exitCode();
        }
    }

    /**
     * Checks every option before anything starts, and reports all problems at once as a usage error (exit 2).
     *
     * @return the Pagila directory to load, empty for generated rows
     */
    private Optional<Path> checkOptions() {
        List<String> problems = new ArrayList<>();
        if (rate < 1) {
            problems.add("--rate must be a positive number of transactions per second but was " + rate
                    + "; pass a whole number of at least 1, such as --rate 200");
        }
        // --duration: DurationConverter already refused zero, negative and unit-less values
        schemaProblem().ifPresent(problems::add);
        if (generate && pagilaDir != null) {
            problems.add("--generate and --pagila-dir " + pagilaDir + " exclude each other: --generate loads generated"
                    + " rows, --pagila-dir the files; pass one of them");
        } else if (pagilaDir != null) {
            PagilaDatabase.filesProblem("--pagila-dir", pagilaDir).ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            throw new ParameterException(spec.commandLine(), String.join("\n", problems));
        }
        return generate ? Optional.empty() : pagilaFiles();
    }

    private Optional<String> schemaProblem() {
        try {
            new BronzeSchema(bronzeSchema);
        } catch (IllegalArgumentException e) {
            return Optional.of("--bronze-schema: " + e.getMessage() + "; pass a name such as --bronze-schema "
                    + BronzeSchema.DEFAULT_NAME);
        }
        if (bronzeSchema.startsWith("pg_") || bronzeSchema.equals("information_schema")) {
            return Optional.of("--bronze-schema '" + bronzeSchema + "' is a name PostgreSQL reserves for its system"
                    + " schemas; pass another, such as --bronze-schema " + BronzeSchema.DEFAULT_NAME);
        }
        return Optional.empty();
    }

    private int demo(Optional<Path> files, StopSignal stop) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        BronzeSchema schema = new BronzeSchema(bronzeSchema);
        out.println("bronze-cdc demo: starting an embedded PostgreSQL 17 (wal_level=logical)...");
        out.flush();
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start()) {
            stop.check();
            out.printf("  source:  %s%n", server.jdbcUrl(PagilaDatabase.NAME));
            PagilaDatabase.Loaded source = PagilaDatabase.create(server, files, seed);
            out.printf("  loaded:  %s%n", source.description());
            source.rows().forEach((table, rows) -> out.printf("           %-9s %,7d rows%n", table.name(), rows));
            out.flush();
            try (Connection c = server.connect(PagilaDatabase.NAME)) {
                stop.check();
                DemoRun run = new DemoRun(server, PagilaDatabase.NAME, PagilaDatabase.tables(), schema, out,
                        stop);
                DemoRun.Result result = run.execute(c, source.rows(), new LiveWorkload.Plan(seed, duration, rate));
                out.println();
                out.print(result.summary().toText());
                out.println();
                out.print(result.validation().toText());
                if (!result.summary().passed()) {
                    out.println("demo: FAILED: bronze does not hold every snapshot row and live change once (see"
                            + " MISMATCH above)");
                }
                out.flush();
                int exitCode = result.passed() ? 0 : 1;
                if (keep) {
                    keepServer(server, schema, out, stop);
                }
                return exitCode;
            }
        }
    }

    /** {@code --keep}: says how to connect, then waits for Ctrl-C; the server stops when the caller closes it. */
    private static void keepServer(EmbeddedPostgresServer server, BronzeSchema schema, PrintWriter out,
            StopSignal stop) {
        String table = schema.displayTableOf(PagilaDatabase.tables().get(0));
        out.printf("%ndemo: the embedded server keeps running (--keep); connect with any PostgreSQL client"
                + " (user %s, no password: it trusts loopback logins):%n", EmbeddedPostgresServer.SUPERUSER);
        out.printf("  psql \"host=127.0.0.1 port=%d dbname=%s user=%s\"%n", server.port(), PagilaDatabase.NAME,
                EmbeddedPostgresServer.SUPERUSER);
        out.printf("  JDBC: %s%n", server.jdbcUrl(PagilaDatabase.NAME));
        out.printf("  for example: SELECT lsn, op, full_row FROM %s ORDER BY lsn DESC LIMIT 5;%n", table);
        out.println("Press Ctrl-C to stop the server.");
        out.flush();
        try {
            stop.await(Long.MAX_VALUE);
        } catch (StopSignal.Requested requested) {
            out.println("demo: stopping the embedded server.");
            out.flush();
        }
    }
    private Optional<Path> pagilaFiles() {
        if (pagilaDir != null) {
            return Optional.of(pagilaDir);
        }
        String home = System.getProperty(HOME_PROPERTY);
        return PagilaDatabase.filesBeside(Path.of(home == null ? "." : home));
    }
}
