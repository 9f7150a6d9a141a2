package io.bronzecdc.bench.harness;

import io.bronzecdc.bench.harness.BenchPipelineConfig.Target;
import io.bronzecdc.bench.harness.ChangeDriver.Offer;
import io.bronzecdc.bench.harness.MachineCeiling.Rate;
import io.bronzecdc.bench.report.BenchReport;
import io.bronzecdc.bench.report.BenchReport.Ceiling;
import io.bronzecdc.bench.report.BenchReport.Cost;
import io.bronzecdc.bench.report.BenchReport.Integrity;
import io.bronzecdc.bench.report.BenchReport.Latency;
import io.bronzecdc.bench.report.BenchReport.Measurement;
import io.bronzecdc.bench.report.BenchReport.Pipeline;
import io.bronzecdc.bench.report.BenchReport.Workload;
import io.bronzecdc.cli.engine.EngineProcess;
import io.bronzecdc.cli.engine.ProjectLayout;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.DurationSyntax;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.TableStats;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.model.validate.Violation;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One run of the end-to-end harness: it starts its own PostgreSQL servers, loads the seeded tables once into a
 * template database, measures the machine's ceilings, then runs every pipeline in turn, each on its own copy of the
 * template ({@code CREATE DATABASE ... TEMPLATE}), in JVMs of its own, through the same scenarios:
 * <ol>
 *   <li>snapshot: the pipeline starts on the loaded tables; timed until every row is in bronze (JVM start
 *       included);</li>
 *   <li>backlog: the streaming pipelines' JVMs are paused (SIGSTOP) while the backlog is committed, then resumed
 *       and timed until every change is in bronze; the Spark job runs one micro-batch after the backlog;</li>
 *   <li>live: each offered rate for a while, a probe timing every transaction from its commit to its first row in
 *       bronze; then timed until every change is in bronze (Flink once per checkpoint interval);</li>
 *   <li>integrity: the pipeline stopped, the shared validators on its bronze, replay compared with the source.</li>
 * </ol>
 * Only one pipeline runs at a time, so none competes with another for the two cores.
 */
public final class Harness {
    static final String TEMPLATE = "bench_template";
    static final String SNAPSHOT_TEMPLATE = "bench_snapshot_template";
    static final String SAME_SERVER = "same-server";
    static final String SEPARATE_SERVER = "separate-server";
    private static final BronzeSchema BRONZE = BronzeSchema.defaultSchema();
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final BenchPlan plan;
    private final ProjectLayout layout;
    private final Path out;
    private final PrintStream log;
    private final List<Ceiling> ceilings = new ArrayList<>();
    private final List<Measurement> measurements = new ArrayList<>();
    private final List<Integrity> integrity = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final ServerFactory servers;
    private BenchServer source;
    private BenchServer separate;
    private Map<TableId, Long> loaded;
    /** The pipeline process running now, stopped by the shutdown hook when the harness is stopped. */
    private volatile EngineProcess current;

    /** Starts or names the source server, given the harness's output directory (for a password file). */
    @FunctionalInterface
    public interface ServerFactory {
        BenchServer open(Path out) throws Exception;
    }

    /**
     * @param servers the source server: {@code BenchServer::embedded} (a file under {@code out} for the password),
     *     or a given one
     * @param out the directory the report and every process's output are written to
     * @param log where progress goes, one line per step
     */
    public Harness(BenchPlan plan, ProjectLayout layout, ServerFactory servers, Path out, PrintStream log) {
        this.plan = plan;
        this.servers = servers;
        this.layout = layout;
        this.out = out.toAbsolutePath();
        this.log = log;
    }

    /** Runs every scenario of the plan and returns the report (not yet written). */
    public BenchReport run() throws Exception {
        Instant started = Instant.now();
        long startedNanos = System.nanoTime();
        Files.createDirectories(out);
        List<PipelineLauncher> launchers = plan.pipelines().stream().map(p -> PipelineLauncher.of(p, layout)).toList();
        Thread stopCurrent = new Thread(() -> {
            EngineProcess running = current;
            if (running != null && running.isAlive()) {
                try {
                    running.stop(Duration.ofSeconds(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "bench-stop-pipeline");
        Runtime.getRuntime().addShutdownHook(stopCurrent);
        try {
            try (BenchServer server = servers.open(out)) {
                source = server;
                server.checkReady();
                step("source server %s; loading %,d wide rows and the Pagila-shaped tables (seed %d)",
                        server.describe(), plan.wideRows(), plan.seed());
                server.recreateDatabase(TEMPLATE, null);
                try (Connection c = server.connect(TEMPLATE)) {
                    loaded = BenchData.load(c, plan.seed(), plan.pagilaScale(), plan.wideRows());
                }
                step("loaded %s", loaded);
                if (plan.snapshotRows() > 0) {
                    server.recreateDatabase(SNAPSHOT_TEMPLATE, null);
                    try (Connection c = server.connect(SNAPSHOT_TEMPLATE)) {
                        step("large snapshot table: loaded %s", BenchData.load(c, plan.seed(), plan.pagilaScale(),
                                plan.snapshotRows()));
                    }
                }
                if (plan.separateServer()) {
                    separate = BenchServer.embedded(out.resolve("bronze-server-password"));
                    step("bronze server for the separate-server placement: %s", separate.describe());
                }
                try {
                    Environment environmentProbe = new Environment(layout);
                    measureCeilings();
                    for (PipelineLauncher launcher : launchers) {
                        measure(launcher, false);
                        if (plan.separateServer() && Pipeline.isOurs(launcher.pipeline())) {
                            measure(launcher, true);
                        }
                    }
                    if (plan.snapshotRows() > 0) {
                        for (PipelineLauncher launcher : launchers) {
                            largeSnapshot(launcher);
                        }
                    }
                    addNotes();
                    BenchReport.Environment environment;
                    try (Connection c = server.connect("postgres")) {
                        environment = environmentProbe.describe(c, server.describe());
                    }
                    return new BenchReport(plan.mode(), started.truncatedTo(ChronoUnit.SECONDS).toString(),
                            (System.nanoTime() - startedNanos) / 1e9, environment, workload(), ceilings, measurements,
                            integrity, notes);
                } finally {
                    if (separate != null) {
                        separate.close();
                    }
                    server.dropDatabase(TEMPLATE);
                    if (plan.snapshotRows() > 0) {
                        server.dropDatabase(SNAPSHOT_TEMPLATE);
                    }
                }
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopCurrent);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is stopping: the hook runs
            }
        }
    }

    private void measureCeilings() throws Exception {
        String database = "bench_ceiling";
        createFromTemplate(TEMPLATE, database);
        String slot = "bench_ceiling_slot";
        Rate drain;
        Rate copy;
        Rate separateCopy = null;
        try (Connection c = source.connect(database)) {
            BenchData.createPublication(c, slot + "_pub");
            MachineCeiling.createSlot(source, database, slot);
            ChangeDriver driver = ChangeDriver.on(c, plan.seed());
            Offer backlog = driver.backlog(c, plan.backlogChanges(), plan.backlogSizes());
            step("ceiling: %,d changes committed in %.1f s; draining them with a bare pgoutput reader",
                    backlog.changes(), backlog.seconds());
            drain = MachineCeiling.drain(source, database, slot, slot + "_pub", backlog.changes());
            copy = MachineCeiling.copy(c, c, backlog.changes());
            if (separate != null) {
                separate.recreateDatabase(database, null);
                try (Connection bronze = separate.connect(database)) {
                    separateCopy = MachineCeiling.copy(c, bronze, backlog.changes());
                }
            }
        }
        source.dropDatabase(database);
        ceilings.add(new Ceiling(SAME_SERVER, drain.count(), drain.perSecond(), copy.count(), copy.perSecond()));
        step("ceiling: pgoutput drain %,.0f changes/s, COPY %,.0f rows/s", drain.perSecond(), copy.perSecond());
        if (separateCopy != null) {
            ceilings.add(new Ceiling(SEPARATE_SERVER, drain.count(), drain.perSecond(), separateCopy.count(),
                    separateCopy.perSecond()));
            step("ceiling, bronze in a separate server: COPY %,.0f rows/s", separateCopy.perSecond());
            separate.dropDatabase(database);
        }
    }

    private Ceiling ceiling(String placement) {
        return ceilings.stream().filter(c -> c.placement().equals(placement)).findFirst().orElseThrow();
    }

    /** The snapshot, backlog and live scenarios of one pipeline, then its integrity. */
    private void measure(PipelineLauncher launcher, boolean separateServer) throws Exception {
        String pipeline = launcher.pipeline();
        String placement = separateServer ? SEPARATE_SERVER : SAME_SERVER;
        String database = "bench_" + pipeline.replace('-', '_') + (separateServer ? "_separate" : "");
        Run run = new Run(launcher, placement, database, separateServer);
        step("%s (%s): database %s", pipeline, placement, database);
        try {
            run.snapshot();
            run.requireRunning("backlog");
            run.backlog();
            run.requireRunning("live");
            run.live();
        } catch (Exception e) {
            // One pipeline's failure is a finding of the report, not the end of the run: the others still run.
            run.failed(e);
        } finally {
            run.stop();
        }
        integrity.add(run.validateOrReport());
        run.drop();
    }

    /** The pipeline on the large-snapshot database, for at most the plan's cap. */
    private void largeSnapshot(PipelineLauncher launcher) throws Exception {
        String database = "bench_snapshot_" + launcher.pipeline().replace('-', '_');
        Run run = new Run(launcher, SAME_SERVER, database, false, SNAPSHOT_TEMPLATE);
        step("%s: large snapshot, database %s", launcher.pipeline(), database);
        try {
            run.snapshotCapped(plan.snapshotCap(), "snapshot-large");
        } catch (Exception e) {
            run.failed(e);
        } finally {
            run.stop();
        }
        run.drop();
    }

    /** One pipeline on its own database: the process, its config, the driver and what it has committed. */
    private final class Run {
        private final PipelineLauncher launcher;
        private final String placement;
        private final String database;
        private final boolean separateServer;
        private final Path dir;
        private final Path configFile;
        private BenchPipelineConfig config;
        private final ChangeDriver driver;
        private final Map<TableId, Long> snapshot;
        private EngineProcess process;
        private int starts;
        private String scenario = "setup";

        Run(PipelineLauncher launcher, String placement, String database, boolean separateServer) throws Exception {
            this(launcher, placement, database, separateServer, TEMPLATE);
        }

        Run(PipelineLauncher launcher, String placement, String database, boolean separateServer, String template)
                throws Exception {
            this.launcher = launcher;
            this.placement = placement;
            this.database = database;
            this.separateServer = separateServer;
            this.dir = out.resolve("runs").resolve(database);
            Files.createDirectories(dir);
            createFromTemplate(template, database);
            Optional<Target> target = Optional.empty();
            if (separateServer) {
                separate.recreateDatabase(database, null);
                target = Optional.of(new Target(separate.host(), separate.port(), database, separate.user(),
                        separate.passwordSource()));
            }
            String slot = database + "_slot";
            this.config = new BenchPipelineConfig(source.host(), source.port(), database, source.user(),
                    source.passwordSource(), slot, BRONZE.name(), plan.checkpointIntervals().get(0),
                    plan.sparkSchedule(), target).withSourceConnector(launcher.sourceConnector());
            this.configFile = dir.resolve("pipeline.yaml");
            Files.writeString(configFile, config.yaml());
            try (Connection c = source.connect(database)) {
                BenchData.createPublication(c, config.publication());
                this.snapshot = BenchData.counts(c);
                this.driver = ChangeDriver.on(c, plan.seed());
            }
        }

        Connection bronze() throws SQLException {
            return separateServer ? separate.connect(database) : source.connect(database);
        }

        String setting() {
            return switch (launcher.pipeline()) {
                case Pipeline.SPARK -> "every " + DurationSyntax.format(config.sparkSchedule());
                // The embedded engine has no checkpoint: it commits each batch, and flushes offsets on its own clock.
                case Pipeline.DEBEZIUM -> "engine defaults";
                default -> "checkpoint " + DurationSyntax.format(config.checkpoint());
            };
        }

        Map<TableId, Long> expected() {
            Map<TableId, Long> expected = new LinkedHashMap<>(snapshot);
            driver.changes().forEach((table, changes) -> expected.merge(table, changes, Long::sum));
            return expected;
        }

        long snapshotRows() {
            return snapshot.values().stream().mapToLong(Long::longValue).sum();
        }

        EngineProcess startStreaming() throws IOException {
            starts++;
            process = launcher.stream(configFile, dir.resolve("state"), dir.resolve("stream-" + starts + ".out"));
            current = process;
            return process;
        }

        void snapshot() throws Exception {
            snapshotCapped(plan.catchUp(), "snapshot");
        }

        void snapshotCapped(Duration cap, String scenario) throws Exception {
            this.scenario = scenario;
            long started = System.nanoTime();
            process = launcher.streams() ? startStreaming() : launcher.once(configFile, dir.resolve("snapshot.out"));
            current = process;
            ProcessCost cost = ProcessCost.start(process.pid());
            Arrival arrival = awaitBronze(expected(), cap, started);
            record(scenario, 0, arrival.rows(), arrival, ceiling(placement).copyRowsPerSecond(), null, cost.stop());
        }

        void backlog() throws Exception {
            scenario = "backlog";
            Offer offer;
            long started;
            ProcessCost cost;
            try (Connection c = source.connect(database)) {
                if (launcher.streams()) {
                    signal(process, "STOP");
                    offer = driver.backlog(c, plan.backlogChanges(), plan.backlogSizes());
                    started = System.nanoTime();
                    signal(process, "CONT");
                    cost = ProcessCost.start(process.pid());
                } else {
                    offer = driver.backlog(c, plan.backlogChanges(), plan.backlogSizes());
                    started = System.nanoTime();
                    process = launcher.once(configFile, dir.resolve("backlog.out"));
                    current = process;
                    cost = ProcessCost.start(process.pid());
                }
            }
            step("  backlog of %,d changes committed in %.1f s", offer.changes(), offer.seconds());
            Arrival arrival = awaitBronze(expected(), plan.catchUp(), started);
            record("backlog", 0, offer.changes(), arrival, ceiling(placement).drainChangesPerSecond(), null,
                    cost.stop());
        }

        void live() throws Exception {
            scenario = "live";
            List<Duration> intervals = Pipeline.isOurFlinkJob(launcher.pipeline()) && !separateServer
                    ? plan.checkpointIntervals() : plan.checkpointIntervals().subList(0, 1);
            if (!launcher.streams()) {
                process = launcher.every(configFile, dir.resolve("every.out"));
                current = process;
                awaitReady("the spark job on its schedule");
            }
            for (int i = 0; i < intervals.size(); i++) {
                if (i > 0) {
                    // Restarted with the next interval: the job resumes from its newest checkpoint.
                    process.stop(STOP_GRACE);
                    config = config.withCheckpoint(intervals.get(i));
                    Files.writeString(configFile, config.yaml());
                    startStreaming();
                    awaitReady("the flink job restarted with " + setting());
                }
                for (int rate : plan.liveRates()) {
                    offer(rate);
                }
            }
        }

        /**
         * Commits one single-row transaction and waits until it is in bronze: a pipeline just started is running
         * before the first offered change is timed, so its start-up is not counted as latency.
         */
        void awaitReady(String what) throws Exception {
            long started = System.nanoTime();
            try (Connection c = source.connect(database)) {
                driver.commit(c, 1);
            }
            Arrival arrival = awaitBronze(expected(), plan.catchUp(), started);
            if (!arrival.outcome().equals("ok")) {
                throw new IllegalStateException(what + " did not make a change visible: " + arrival.outcome());
            }
            step("  %s: running (a first change visible after %.1f s)", what, arrival.seconds());
        }

        void offer(int rate) throws Exception {
            Arrival arrival;
            Offer offer;
            Latency latency;
            ProcessCost cost = ProcessCost.start(process.pid());
            try (LatencyProbe probe = LatencyProbe.start(this::connectBronzeUnchecked, BRONZE, BenchData.TABLES);
                    Connection c = source.connect(database)) {
                long started = System.nanoTime();
                offer = driver.offer(c, rate, plan.liveDuration(), BenchPlan.LIVE_SIZES,
                        committed -> probe.committed(committed.txId(), committed.committedNanos()));
                arrival = awaitBronze(expected(), plan.catchUp(), started);
                latency = probe.latency();
            }
            step("  %,d changes/s offered, %,.0f achieved by the driver: %s", rate, offer.changesPerSecond(),
                    latency == null ? "no latency measured" : String.format("latency p50 %.0f ms, p99 %.0f ms,"
                            + " max %.0f ms", latency.p50Millis(), latency.p99Millis(), latency.maxMillis()));
            record("live", rate, offer.changes(), arrival, ceiling(placement).drainChangesPerSecond(), latency,
                    cost.stop());
        }

        private Connection connectBronzeUnchecked() {
            try {
                return bronze();
            } catch (SQLException e) {
                throw new IllegalStateException("the latency probe could not connect to bronze: " + e.getMessage(), e);
            }
        }

        void record(String scenario, int offeredRate, long rows, Arrival arrival, double ceiling, Latency latency,
                Cost cost) {
            double rate = arrival.seconds() > 0 ? rows / arrival.seconds() : 0;
            measurements.add(new Measurement(launcher.pipeline(), scenario, placement, setting(), offeredRate, rows,
                    arrival.seconds(), rate, ceiling, latency, latency == null ? -1 : latency.p99Millis(), cost,
                    arrival.outcome()));
            step("  %s: %,d rows in %.1f s = %,.0f/s (%.0f%% of the ceiling), %s", scenario, rows, arrival.seconds(),
                    rate, ceiling > 0 ? 100 * rate / ceiling : 0, arrival.outcome());
        }

        /**
         * Waits until bronze holds {@code expected} rows per table (by its highest lsn), the pipeline's process
         * exits with an error, or {@code timeout} passes.
         */
        Arrival awaitBronze(Map<TableId, Long> expected, Duration timeout, long startedNanos) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            long target = expected.values().stream().mapToLong(Long::longValue).sum();
            try (Connection c = bronze()) {
                while (true) {
                    Map<TableId, Long> reached = highestLsn(c, expected.keySet());
                    long now = System.nanoTime();
                    double seconds = (now - startedNanos) / 1e9;
                    long rows = reached.values().stream().mapToLong(Long::longValue).sum();
                    if (covers(reached, expected)) {
                        return new Arrival(rows, seconds, "ok");
                    }
                    if (!process.isAlive()) {
                        int code = process.awaitExit(Duration.ZERO);
                        if (launcher.streams() || code != 0) {
                            return new Arrival(rows, seconds, "the " + launcher.pipeline() + " process exited with"
                                    + " code " + code + " (output: " + process.output() + ")");
                        }
                        // A finished micro-batch has committed everything it will: look once more, then say so.
                        reached = highestLsn(c, expected.keySet());
                        rows = reached.values().stream().mapToLong(Long::longValue).sum();
                        return covers(reached, expected) ? new Arrival(rows, seconds, "ok") : new Arrival(rows,
                                seconds, "the spark run exited 0 with " + rows + " of " + target + " rows in bronze");
                    }
                    if (now > deadline) {
                        return new Arrival(rows, seconds, "timed out after " + timeout.toSeconds() + " s with "
                                + rows + " of " + target + " rows in bronze");
                    }
                    TimeUnit.MILLISECONDS.sleep(20);
                }
            }
        }

        private static boolean covers(Map<TableId, Long> reached, Map<TableId, Long> expected) {
            return expected.entrySet().stream().allMatch(e -> reached.getOrDefault(e.getKey(), 0L) >= e.getValue());
        }

        /** Throws when a streaming pipeline's process is gone before {@code next}. */
        void requireRunning(String next) throws InterruptedException {
            if (launcher.streams() && !process.isAlive()) {
                throw new IllegalStateException("the process exited with code " + process.awaitExit(Duration.ZERO)
                        + " before the " + next + " scenario (output: " + process.output() + ")");
            }
        }

        /** Records that the current scenario failed with {@code error}; the scenarios after it did not run. */
        void failed(Exception error) {
            String message = error.getMessage() == null ? error.toString() : error.getMessage();
            String outcome = "failed: " + message.lines().findFirst().orElse(message);
            measurements.add(new Measurement(launcher.pipeline(), scenario, placement, setting(), 0, 0, 0, 0, 0, null,
                    -1, null, outcome));
            step("  %s: %s%s", scenario, outcome, process == null ? "" : " (output: " + process.output() + ")");
        }

        /** The validation of bronze, or a failed integrity naming why bronze could not be validated. */
        Integrity validateOrReport() {
            try {
                return validate();
            } catch (Exception e) {
                String message = "bronze could not be validated: " + e.getMessage();
                step("  integrity: FAILED (%s)", message);
                return new Integrity(launcher.pipeline(), placement, false, 0, List.of(message), message);
            }
        }

        void stop() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.stop(STOP_GRACE);
            }
        }

        Integrity validate() throws SQLException, IOException {
            ValidationReport report;
            try (Connection src = source.connect(database); Connection bronze = bronze()) {
                report = BronzeValidator.validate(bronze, src, BRONZE, BenchData.TABLES,
                        ValidationOptions.defaults().withSlot(config.slot()));
            }
            long rows = report.tables().stream().mapToLong(TableStats::rows).sum();
            List<String> violations = report.violations().stream().limit(40).map(Violation::toString).toList();
            step("  integrity: %s (%,d bronze rows)%s", report.passed() ? "passed" : "FAILED", rows,
                    violations.isEmpty() ? "" : "\n    " + String.join("\n    ", violations));
            Files.writeString(dir.resolve("validation.txt"), report.toText());
            return new Integrity(launcher.pipeline(), placement, report.passed(), rows, violations, report.toText());
        }

        void drop() throws SQLException {
            source.dropDatabase(database);
            if (separateServer) {
                separate.dropDatabase(database);
            }
        }
    }

    /** How far a pipeline got: rows in bronze (highest lsn, summed), when, and {@code ok} or what went wrong. */
    private record Arrival(long rows, double seconds, String outcome) {
    }

    /** {@code max(lsn)} per bronze table, 0 for a table not created yet. */
    private static Map<TableId, Long> highestLsn(Connection c, Iterable<TableId> tables) throws SQLException {
        Map<TableId, Long> reached = new LinkedHashMap<>();
        try (Statement s = c.createStatement()) {
            for (TableId table : tables) {
                try (ResultSet rs = s.executeQuery("SELECT coalesce(max(lsn), 0) FROM " + BRONZE.tableOf(table))) {
                    rs.next();
                    reached.put(table, rs.getLong(1));
                } catch (SQLException e) {
                    if (!"42P01".equals(e.getSQLState()) && !"3F000".equals(e.getSQLState())) {
                        throw e;
                    }
                    reached.put(table, 0L);
                }
            }
        }
        return reached;
    }

    /** Sends {@code signal} (STOP, CONT) to the process and everything it started. */
    private static void signal(EngineProcess process, String signal) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal, Long.toString(process.pid())));
        ProcessHandle.of(process.pid()).ifPresent(p -> p.descendants()
                .forEach(d -> command.add(Long.toString(d.pid()))));
        Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " failed: " + new String(kill.getInputStream()
                    .readAllBytes()));
        }
    }

    private void createFromTemplate(String template, String database) throws SQLException {
        source.recreateDatabase(database, template);
    }

    private Workload workload() {
        return new Workload(plan.seed(), plan.pagilaScale(), plan.wideRows(), plan.snapshotRows(),
                loaded.values().stream().mapToLong(Long::longValue).sum(), plan.backlogChanges(), plan.backlogSizes(), plan.liveRates(), (int) plan.liveDuration().toSeconds(),
                BenchPlan.LIVE_SIZES, BenchPlan.MIX,
                BenchData.TABLES.stream().map(TableId::toString).toList(),
                plan.checkpointIntervals().stream().map(DurationSyntax::format).toList(),
                DurationSyntax.format(plan.sparkSchedule()));
    }

    private void addNotes() {
        notes.add("Each pipeline ran alone, on its own copy of one template database (same seed, same rows), in JVMs"
                + " of its own; the harness, the server and the pipeline shared the machine's " + Runtime.getRuntime()
                .availableProcessors() + " cores.");
        notes.add("Snapshot figures include the pipeline's JVM start. Backlog: the streaming pipelines' JVMs were"
                + " paused (SIGSTOP) while the backlog was committed and timed from their resumption; the Spark"
                + " figure includes its JVM and Spark session start.");
        notes.add("Live: latency is from the COMMIT returning to the driver until a probe polling bronze every "
                + LatencyProbe.POLL_MILLIS + " ms from its own connection saw the transaction's first row; lag p99"
                + " is the p99 of that latency while the rate was offered. The driver runs one transaction per round"
                + " trip on one connection; where it could not reach the offered rate, rows/s says what it did."
                + " A pipeline just started (the Spark job on its schedule, the Flink job restarted with the next"
                + " checkpoint interval) first made one change visible before a rate was offered, so its start-up is"
                + " not counted as latency.");
        notes.add("flink and flink-cdc-source are the same Flink job of ours with its two sources: flink reads the"
                + " slot with our own pgoutput source, and its sink commits each source transaction whole within"
                + " milliseconds, so its latency should not follow the checkpoint interval; flink-cdc-source"
                + " (source.connector: flink-cdc) reads it with Flink CDC's Postgres source and commits through"
                + " prepared transactions at each checkpoint. Both ran once per checkpoint interval on the same"
                + " server. The peer flink-cdc is a plain Flink CDC job, not ours.");
        notes.add("The Spark job ran a micro-batch every " + DurationSyntax.format(plan.sparkSchedule())
                + " while changes were offered, shorter than production's 5 min, for measuring.");
        notes.add("Ceilings: a bare pgoutput reader (pgjdbc's replication API, no decoding) drained the same backlog"
                + " from a slot of its own; COPY loaded as many to_jsonb rows into a bronze log table, the text built"
                + " before the clock started.");
        if (plan.snapshotRows() > 0) {
            notes.add("snapshot-large: the pipeline on a copy of a template with " + String.format("%,d",
                    plan.snapshotRows()) + " rows of bench_wide, for at most " + plan.snapshotCap().toMinutes()
                    + " min; one that did not finish shows its rows/s over that time, its outcome says how far it"
                    + " got.");
        }
        if (plan.separateServer()) {
            notes.add("same-server: bronze in the source database, so the walsender also reads bronze's own WAL;"
                    + " separate-server: bronze in a second server on this machine (the target: connection).");
        }
        notes.add("For context only, measured elsewhere on other hardware: Sequin about 50k changes/s from one slot"
                + " (55 ms average, 253 ms p99 latency); Debezium Server about 20-23k changes/s (p99 about 440 ms).");
        notes.add("Peers write the same bronze rows through our codec (full_row from Debezium's values); see"
                + " benchmarks/README.md for which code is the peer's and which is ours.");
    }

    private void step(String format, Object... arguments) {
        log.printf("[bench %s] %s%n", Instant.now().truncatedTo(ChronoUnit.SECONDS), String.format(format,
                arguments));
        log.flush();
    }

}
