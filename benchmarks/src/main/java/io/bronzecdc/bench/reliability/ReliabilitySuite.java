package io.bronzecdc.bench.reliability;

import io.bronzecdc.bench.harness.Environment;
import io.bronzecdc.bench.harness.PipelineLauncher;
import io.bronzecdc.bench.reliability.FaultRun.Phase;
import io.bronzecdc.bench.reliability.FaultRun.Result;
import io.bronzecdc.cli.engine.ProjectLayout;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.testkit.pagila.PagilaGenerator;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code bronze-cdc bench --reliability}: faults injected into both engines while a seeded workload runs, each run
 * checked change by change against what the workload committed ({@link LedgerCheck}). The short plan (one run of four
 * kinds, a few minutes; {@code mvn verify} runs it) and the full plan (20 Flink and 10 Spark runs, kinds and phases
 * drawn from the seed) run on an embedded PostgreSQL the suite starts, which it can stop and start again.
 */
public final class ReliabilitySuite {
    /** The plans: which faults, in which phases, how long each run streams. */
    public record Plan(String mode, long seed, List<Planned> runs, int rate, Duration streamTime) {
        public Plan {
            // A run keeps its number in the whole plan through only() and inPhase(): its seed derives from it, so
            // the parts of one seed, run one by one, are the runs of the whole plan.
            List<Planned> numbered = new ArrayList<>(runs.size());
            for (int i = 0; i < runs.size(); i++) {
                Planned r = runs.get(i);
                numbered.add(r.number() > 0 ? r : new Planned(r.fault(), r.phase(), r.parallelism(), i + 1));
            }
            runs = List.copyOf(numbered);
        }

        /**
         * Five runs in the stream phase: the Flink JVM killed, PostgreSQL crashed under the Flink job, the Flink
         * job's slot lost while it was down, a Spark run killed, PostgreSQL restarted under a Spark run. What
         * {@code mvn verify} runs; the Spark engine's slot loss (the same shared preflight) is in the full plan.
         */
        public static Plan shortPlan(long seed) {
            return new Plan("short", seed, List.of(new Planned(Fault.FLINK_KILL, Phase.STREAM),
                    new Planned(Fault.FLINK_POSTGRES_IMMEDIATE, Phase.STREAM), new Planned(Fault.FLINK_SLOT_LOST,
                            Phase.STREAM), new Planned(Fault.SPARK_KILL, Phase.STREAM),
                    new Planned(Fault.SPARK_POSTGRES_FAST, Phase.STREAM)), 50, Duration.ofSeconds(3));
        }

        /**
         * The full campaign, phases (and the session cluster's parallelism) drawn from the seed:
         * {@code flinkRuns} Flink process faults (TaskManager killed, JobManager killed and the job resumed, stop with
         * savepoint and resume, the {@code bronze-cdc stream} JVM killed, in turn); {@code sparkRuns} Spark process
         * faults (a run's driver JVM killed, an executor killed, in turn); {@code restartRuns} of each restart under
         * each engine (PostgreSQL fast, PostgreSQL immediate, bronze's separate server); one slot loss per engine.
         */
        public static Plan fullPlan(long seed, int flinkRuns, int sparkRuns, int restartRuns) {
            SplittableRandom random = new SplittableRandom(seed);
            List<Planned> runs = new ArrayList<>();
            List<Fault> flink = List.of(Fault.FLINK_TASKMANAGER_KILL, Fault.FLINK_JOBMANAGER_KILL,
                    Fault.FLINK_SAVEPOINT, Fault.FLINK_KILL);
            for (int i = 0; i < flinkRuns; i++) {
                runs.add(drawn(flink.get(i % flink.size()), random));
            }
            List<Fault> spark = List.of(Fault.SPARK_KILL, Fault.SPARK_EXECUTOR_KILL);
            for (int i = 0; i < sparkRuns; i++) {
                runs.add(drawn(spark.get(i % spark.size()), random));
            }
            List<Fault> restarts = List.of(Fault.FLINK_POSTGRES_FAST, Fault.FLINK_POSTGRES_IMMEDIATE,
                    Fault.FLINK_TARGET_RESTART, Fault.SPARK_POSTGRES_FAST, Fault.SPARK_POSTGRES_IMMEDIATE,
                    Fault.SPARK_TARGET_RESTART);
            for (int i = 0; i < restartRuns * restarts.size(); i++) {
                runs.add(drawn(restarts.get(i % restarts.size()), random));
            }
            runs.add(new Planned(Fault.FLINK_SLOT_LOST, Phase.STREAM));
            runs.add(new Planned(Fault.SPARK_SLOT_LOST, Phase.STREAM));
            return new Plan("full", seed, runs, 100, Duration.ofSeconds(10));
        }

        private static Planned drawn(Fault fault, SplittableRandom random) {
            Phase phase = random.nextBoolean() ? Phase.SNAPSHOT : Phase.STREAM;
            return new Planned(fault, phase, fault.onSessionCluster() ? 1 + random.nextInt(2) : 1);
        }

        /** One Flink run at a steady {@code rate} (transactions/s) for {@code minutes}, no fault, sampled. */
        public static Plan soak(long seed, int minutes, int rate) {
            return new Plan("soak", seed, List.of(new Planned(Fault.SOAK, Phase.STREAM)), rate,
                    Duration.ofMinutes(minutes));
        }

        /** Every run with its fault in {@code phase} ({@code snapshot} or {@code stream}). */
        public Plan inPhase(String phase) {
            Phase chosen = Phase.valueOf(phase.toUpperCase(java.util.Locale.ROOT));
            return new Plan(mode, seed, runs.stream().map(r -> new Planned(r.fault(), chosen, r.parallelism(),
                    r.number())).toList(), rate, streamTime);
        }

        /** Only the runs of these faults. */
        public Plan only(List<String> faults) {
            List<Fault> chosen = faults.stream().map(Fault::of).toList();
            return new Plan(mode, seed, runs.stream().filter(r -> chosen.contains(r.fault())).toList(), rate,
                    streamTime);
        }
    }

    /** A planned run. */
    /**
     * One run of a plan.
     *
     * @param number the run's number in the whole plan (1-based; 0 until the plan numbers it)
     */
    public record Planned(Fault fault, Phase phase, int parallelism, int number) {
        public Planned(Fault fault, Phase phase) {
            this(fault, phase, 1);
        }

        public Planned(Fault fault, Phase phase, int parallelism) {
            this(fault, phase, parallelism, 0);
        }
    }

    private static final String TEMPLATE = "reliability_template";

    private final Plan plan;
    private final ProjectLayout layout;
    private final Path out;
    private final PrintStream log;

    public ReliabilitySuite(Plan plan, ProjectLayout layout, Path out, PrintStream log) {
        this.plan = plan;
        this.layout = layout;
        this.out = out;
        this.log = log;
    }

    /** Runs the plan and returns its summary; the summary files go to the output directory. */
    public ReliabilitySummary run() throws Exception {
        Files.createDirectories(out);
        Path password = out.resolve("source-password");
        // The embedded server trusts loopback connections: the file is read but its content opens nothing.
        Files.writeString(password, "trusted-loopback\n");
        long started = System.nanoTime();
        // Read now: bin/bronze-cdc built what runs from this tree just before, and a commit made while the suite runs
        // is not in it.
        String commit = Environment.gitCommit(layout.root());
        List<Result> results = new ArrayList<>();
        log.printf("bronze-cdc bench --reliability (%s): seed %d, %d runs, output in %s%n", plan.mode(), plan.seed(),
                plan.runs().size(), out.toAbsolutePath());
        List<AutoCloseable> closeLast = new ArrayList<>();
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start()) {
            try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + TEMPLATE);
            }
            try (Connection c = server.connect(TEMPLATE)) {
                SourceSchema.create(c);
                PagilaLoader.loadGenerated(c, new PagilaGenerator(plan.seed(), PagilaGenerator.PAGILA_COUNTS));
            }
            EmbeddedPostgresServer bronzeServer = null;
            Map<String, PipelineLauncher> launchers = new LinkedHashMap<>();
            for (int i = 0; i < plan.runs().size(); i++) {
                Planned planned = plan.runs().get(i);
                PipelineLauncher launcher = launchers.computeIfAbsent(planned.fault().engine(),
                        engine -> PipelineLauncher.of(engine, layout));
                int number = planned.number();
                String database = "reliability_run_" + number;
                try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE " + database + " TEMPLATE " + TEMPLATE);
                }
                Map<TableId, Long> snapshot = new LinkedHashMap<>();
                try (Connection c = server.connect(database); Statement s = c.createStatement()) {
                    for (TableId table : FaultRun.TABLES) {
                        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table.qualifiedName())) {
                            rs.next();
                            snapshot.put(table, rs.getLong(1));
                        }
                    }
                }
                long seed = plan.seed() * 1_000 + number;
                log.printf("run %d (%d of %d): %s in the %s phase%s, seed %d%n", number, i + 1, plan.runs().size(),
                        planned.fault().label(), planned.phase().name().toLowerCase(java.util.Locale.ROOT),
                        planned.fault().onSessionCluster() ? ", parallelism " + planned.parallelism() : "", seed);
                log.flush();
                if (planned.fault().separateTarget() && bronzeServer == null) {
                    bronzeServer = EmbeddedPostgresServer.start();
                    closeLast.add(bronzeServer);
                }
                Result result = new FaultRun(number, planned.fault(), planned.phase(), planned.parallelism(), seed,
                        server, planned.fault().separateTarget() ? bronzeServer : server, launcher, layout, database,
                        out.resolve("runs").resolve(database), password, snapshot, plan.rate(), plan.streamTime(), log)
                        .run();
                results.add(result);
                log.printf("run %d: %s%n", number, result.passed() ? "passed, " + result.verdict().describe()
                        : "FAILED: " + (result.failure() != null ? result.failure() : result.verdict().describe()));
                log.flush();
                if (result.passed()) {
                    dropQuietly(server, database);
                }
            }
        } finally {
            for (AutoCloseable closeable : closeLast) {
                closeable.close();
            }
        }
        ReliabilitySummary summary = ReliabilitySummary.of(plan, commit, results,
                Duration.ofNanos(System.nanoTime() - started));
        summary.write(out);
        log.println();
        log.println(summary.text());
        log.flush();
        return summary;
    }

    /** Drops a passed run's database and slot, keeping the server small; a failed run's stays for a look. */
    private static void dropQuietly(EmbeddedPostgresServer server, String database) {
        try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '"
                    + database + "' AND NOT active");
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (java.sql.SQLException e) {
            // the next run has its own database; the server goes at the end
        }
    }
}
