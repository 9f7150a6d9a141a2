package io.bronzecdc.bench.reliability;

import io.bronzecdc.bench.harness.PipelineLauncher;
import io.bronzecdc.cli.engine.EngineProcess;
import io.bronzecdc.cli.engine.ProjectLayout;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer.Shutdown;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One run of the suite: a fresh database (a copy of the suite's Pagila-shaped template), one pipeline, the seeded
 * workload in the background, one fault at a seeded random moment of the chosen phase, recovery, then the
 * {@link LedgerCheck}. Every wait is on a condition with a bound; the run fails with the engine's output tail when a
 * bound passes.
 */
final class FaultRun {
    static final List<TableId> TABLES = List.of(TableId.of("customer"), TableId.of("payment"), TableId.of("rental"));
    private static final BronzeSchema SCHEMA = new BronzeSchema("cdc_bronze");
    private static final Duration SLOT_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(240);
    private static final Duration SPARK_RUN_TIMEOUT = Duration.ofSeconds(300);
    private static final int MAX_SPARK_RUNS = 12;
    private static final int TAIL = 30;
    private static final int SOAK_SAMPLE_SECONDS = 10;

    /** Where a fault lands: while the snapshot is read, or while changes stream. */
    enum Phase {
        SNAPSHOT, STREAM
    }

    /** What a run found. */
    record Result(int index, Fault fault, Phase phase, int parallelism, long seed, Duration recovery, long reconnects,
            long inDoubt, int engineStarts, LedgerCheck.Verdict verdict, String failure,
            List<SoakSampler.Sample> samples) {
        boolean passed() {
            return failure == null && verdict != null && verdict.passed();
        }
    }

    private final int index;
    private final Fault fault;
    private final Phase phase;
    private final long seed;
    private final EmbeddedPostgresServer server;
    /** Bronze's own server for the target faults; the source server otherwise. */
    private final EmbeddedPostgresServer bronze;
    private final PipelineLauncher launcher;
    private final ProjectLayout layout;
    private final int parallelism;
    private final String database;
    private final Path dir;
    private final Path passwordFile;
    private final Map<TableId, Long> snapshot;
    private final int rate;
    private final Duration streamTime;
    private final PrintStream log;
    private final SplittableRandom random;
    private final Ledger ledger = new Ledger();
    private final List<EngineProcess> processes = new ArrayList<>();
    private final List<SoakSampler.Sample> samples = new ArrayList<>();
    private SparkStandalone standalone;
    private long consistentPoint = -1;
    private Path config;
    private Duration recovery;

    FaultRun(int index, Fault fault, Phase phase, int parallelism, long seed, EmbeddedPostgresServer server,
            EmbeddedPostgresServer bronze, PipelineLauncher launcher, ProjectLayout layout, String database, Path dir,
            Path passwordFile, Map<TableId, Long> snapshot, int rate, Duration streamTime, PrintStream log) {
        this.index = index;
        this.fault = fault;
        this.phase = phase;
        this.seed = seed;
        this.server = server;
        this.bronze = bronze;
        this.launcher = launcher;
        this.layout = layout;
        this.parallelism = parallelism;
        this.database = database;
        this.dir = dir;
        this.passwordFile = passwordFile;
        this.snapshot = snapshot;
        this.rate = rate;
        this.streamTime = streamTime;
        this.log = log;
        this.random = new SplittableRandom(seed);
    }

    Result run() throws Exception {
        // The suite's own output of an earlier run of the same name: its checkpoints must not be restored here.
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
        Files.createDirectories(dir);
        config = dir.resolve("pipeline.yaml");
        Files.writeString(config, yaml());
        try (Connection c = server.connect(database); Statement s = c.createStatement()) {
            s.execute("CREATE PUBLICATION " + slot() + "_pub FOR TABLE customer, payment, rental"
                    + " WITH (publish_via_partition_root = true)");
        }
        if (bronze != server) {
            bronze.createDatabase(database);
        }
        BackgroundWorkload workload = null;
        try {
            if (fault.losesSlot()) {
                return slotLost();
            }
            if (fault.onSessionCluster()) {
                workload = flinkCluster();
            } else if (fault.engine().equals("flink")) {
                workload = flink();
            } else {
                workload = spark();
            }
            LedgerCheck.Verdict verdict;
            try (Connection c = server.connect(database); Connection b = bronze.connect(database)) {
                verdict = LedgerCheck.check(b, c, SCHEMA, TABLES, snapshot, ledger, slot(), consistentPoint);
            }
            return new Result(index, fault, phase, parallelism, seed, recovery, workload.reconnects(),
                    workload.inDoubt(), processes.size(), verdict, null, List.copyOf(samples));
        } catch (Exception | AssertionError e) {
            String tail = processes.isEmpty() ? "" : "\nlast engine output (" + last().output() + "):\n"
                    + last().tail(TAIL);
            return new Result(index, fault, phase, parallelism, seed, recovery,
                    workload == null ? 0 : workload.reconnects(), workload == null ? 0 : workload.inDoubt(),
                    processes.size(), null, e.getMessage() + tail, List.copyOf(samples));
        } finally {
            if (workload != null) {
                try {
                    workload.close();
                } catch (RuntimeException e) {
                    log.println("  workload: " + e.getMessage());
                }
            }
            for (EngineProcess process : processes) {
                if (process.isAlive()) {
                    process.stop(Duration.ofSeconds(20));
                }
            }
            if (server.isStopped()) {
                server.startAgain();
            }
            if (bronze.isStopped()) {
                bronze.startAgain();
            }
        }
    }

    /** The Flink job streams throughout; the fault hits it once; it must catch up with everything committed. */
    private BackgroundWorkload flink() throws Exception {
        EngineProcess job = startFlink();
        awaitSlot(job);
        BackgroundWorkload workload = startWorkload();
        if (fault == Fault.SOAK) {
            soak(job, workload);
            return workload;
        }
        if (phase == Phase.STREAM) {
            EngineProcess first = job;
            await("the snapshot in bronze", RECOVERY_TIMEOUT, () -> snapshotLanded() && alive(first));
            pause(1_000 + random.nextInt(4_000));
        } else {
            pause(200 + random.nextInt(2_500));
        }
        int transactionsAtFault = ledger.transactions();
        long faultAt = System.nanoTime();
        if (fault == Fault.FLINK_KILL) {
            step("SIGKILL to the Flink JVM (pid %d)", job.pid());
            require(job.kill(Duration.ofSeconds(30)), "the Flink JVM did not die after SIGKILL");
            job = startFlink();
        } else {
            restartPostgres();
        }
        EngineProcess running = job;
        awaitRecovery(transactionsAtFault, faultAt, () -> alive(running));
        pause(streamTime.toMillis());
        workload.close();
        await("bronze holds every committed change", RECOVERY_TIMEOUT, () -> covers(expected()) && alive(running));
        require(running.stop(Duration.ofSeconds(30)), "the Flink JVM did not stop");
        return workload;
    }

    /** Streams for the run's whole stream time, sampling every {@link #SOAK_SAMPLE_SECONDS} seconds. */
    private void soak(EngineProcess job, BackgroundWorkload workload) throws Exception {
        await("the snapshot in bronze", RECOVERY_TIMEOUT, () -> snapshotLanded() && alive(job));
        SoakSampler sampler = new SoakSampler(job.pid(), () -> {
            long streamed = 0;
            for (TableId table : TABLES) {
                streamed += single(bronze, "SELECT count(*) FROM " + SCHEMA.tableOf(table)
                        + " WHERE tx_id IS NOT NULL");
            }
            return ledger.totalChanges() - streamed;
        }, () -> single("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint FROM pg_replication_slots"
                + " WHERE slot_name = '" + slot() + "'"));
        long end = System.nanoTime() + streamTime.toNanos();
        long next = System.nanoTime();
        while (System.nanoTime() < end) {
            alive(job);
            workload.requireHealthy();
            SoakSampler.Sample sample = sampler.sample();
            if (samples.size() % 6 == 0) {
                step("%.0f s: %,d changes committed, %,d not yet in bronze, heap %d MB, RSS %d MB, retained WAL %d MB",
                        sample.seconds(), ledger.totalChanges(), sample.behindChanges(), sample.heapUsedMb(),
                        sample.rssMb(), sample.retainedWalMb());
            }
            samples.add(sample);
            next += TimeUnit.SECONDS.toNanos(SOAK_SAMPLE_SECONDS);
            pause(Math.max(0, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime())));
        }
        workload.close();
        await("bronze holds every committed change", RECOVERY_TIMEOUT, () -> covers(expected()) && alive(job));
        require(job.stop(Duration.ofSeconds(30)), "the Flink JVM did not stop");
    }

    /**
     * The job on a session cluster ({@code bin/flink-session}, {@code flink run -d -p <parallelism>}): the fault hits
     * a cluster JVM or stops the job with a savepoint; the job comes back by itself (TaskManager) or by the
     * documented resubmission from the latest retained checkpoint (JobManager) or from the savepoint.
     */
    private BackgroundWorkload flinkCluster() throws Exception {
        try (FlinkSession cluster = FlinkSession.start(layout, dir.resolve("cluster"))) {
            String[] job = {cluster.submit(config, parallelism, java.util.Optional.empty())};
            step("job %s submitted at parallelism %d", job[0], parallelism);
            BooleanSupplier healthy = () -> {
                String state = cluster.state(job[0]);
                require(!state.equals("FAILED") && !state.equals("CANCELED") && !state.equals("FINISHED"),
                        "the job is " + state + ":\n" + cluster.logTail(TAIL));
                return true;
            };
            await("the pipeline's slot", SLOT_TIMEOUT, () -> healthy.getAsBoolean() && single("SELECT count(*) FROM"
                    + " pg_replication_slots WHERE slot_name = '" + slot() + "' AND confirmed_flush_lsn IS NOT NULL")
                    == 1 && recordConsistentPoint());
            BackgroundWorkload workload = startWorkload();
            if (phase == Phase.STREAM) {
                await("the snapshot in bronze", RECOVERY_TIMEOUT, () -> snapshotLanded() && healthy.getAsBoolean());
                pause(1_000 + random.nextInt(4_000));
            } else {
                pause(200 + random.nextInt(2_500));
            }
            int transactionsAtFault = ledger.transactions();
            long faultAt = System.nanoTime();
            switch (fault) {
                case FLINK_TASKMANAGER_KILL -> {
                    step("SIGKILL to the TaskManager (pid %d)", cluster.kill("taskmanager"));
                    cluster.startTaskManager();
                    step("TaskManager started again");
                }
                case FLINK_JOBMANAGER_KILL -> {
                    step("SIGKILL to the JobManager (pid %d)", cluster.kill("jobmanager"));
                    cluster.stopJvms();
                    // The documented resume: from the latest retained checkpoint; a job that died before its
                    // first checkpoint is submitted again without one (the pgoutput source resumes from the slot
                    // what bronze holds, and snapshots the tables it does not).
                    java.util.Optional<Path> checkpoint = cluster.latestRetainedCheckpoint(job[0]);
                    cluster.startJvms();
                    job[0] = cluster.submit(config, parallelism, checkpoint);
                    step("cluster started again; job %s resubmitted %s", job[0], checkpoint.map(c -> "from "
                            + c.getFileName()).orElse("without a checkpoint (none completed before the kill)"));
                }
                case FLINK_SAVEPOINT -> {
                    Path savepoint = cluster.stopWithSavepoint(job[0], RECOVERY_TIMEOUT);
                    job[0] = cluster.submit(config, parallelism, java.util.Optional.of(savepoint));
                    step("stopped with savepoint %s; job %s resubmitted from it", savepoint.getFileName(), job[0]);
                }
                default -> throw new IllegalStateException("not a session-cluster fault: " + fault);
            }
            awaitRecovery(transactionsAtFault, faultAt, healthy);
            pause(streamTime.toMillis());
            workload.close();
            await("bronze holds every committed change", RECOVERY_TIMEOUT, () -> covers(expected())
                    && healthy.getAsBoolean());
            cluster.cancel(job[0]);
            return workload;
        }
    }

    /**
     * Spark runs one micro-batch per JVM, back to back, as a schedule would; the fault hits one run, and the next run
     * must succeed with no hand work.
     */
    private BackgroundWorkload spark() throws Exception {
        if (fault == Fault.SPARK_EXECUTOR_KILL) {
            standalone = SparkStandalone.start(layout, dir.resolve("cluster"));
            try {
                return sparkRuns();
            } finally {
                standalone.close();
            }
        }
        return sparkRuns();
    }

    private BackgroundWorkload sparkRuns() throws Exception {
        EngineProcess first = startSpark();
        awaitSlot(first);
        BackgroundWorkload workload = startWorkload();
        EngineProcess target = first;
        if (phase == Phase.STREAM) {
            requireSuccess(first);
            pause(1_000 + random.nextInt(2_000));
            target = startSpark();
        }
        if (phase == Phase.STREAM) {
            // The run is at work once it reads the slot: the fault lands at a seeded moment from then on.
            EngineProcess run = target;
            await("the run reading the slot", SPARK_RUN_TIMEOUT, () -> !run.isAlive() || single("SELECT count(*)"
                    + " FROM pg_replication_slots WHERE slot_name = '" + slot() + "' AND active") == 1);
            pause(random.nextInt(1_500));
        } else {
            // The slot is consistent: the first run now reads the snapshot (a few seconds of Pagila rows).
            pause(random.nextInt(2_500));
        }
        int transactionsAtFault = ledger.transactions();
        long faultAt = System.nanoTime();
        boolean hit = target.isAlive();
        if (fault == Fault.SPARK_KILL) {
            step("SIGKILL to the Spark JVM (pid %d)%s", target.pid(), hit ? "" : " (it had already exited)");
            target.kill(Duration.ofSeconds(30));
        } else if (fault == Fault.SPARK_EXECUTOR_KILL) {
            java.util.Optional<Long> killed = standalone.killAnExecutor();
            step("SIGKILL to an executor: %s", killed.map(pid -> "pid " + pid).orElse("none was running"));
            int code = target.awaitExit(SPARK_RUN_TIMEOUT);
            step("the run under the executor kill exited %d", code);
        } else {
            restartPostgres();
            int code = target.awaitExit(SPARK_RUN_TIMEOUT);
            step("the run under the restart exited %d", code);
        }
        awaitSlotInactive();
        await("a change committed after the fault", RECOVERY_TIMEOUT, () -> {
            workload.requireHealthy();
            return ledger.transactions() > transactionsAtFault;
        });
        Map<TableId, Long> afterFault = expected();
        EngineProcess next = startSpark();
        requireSuccess(next);
        require(covers(afterFault), "the run after the fault exited 0 but bronze holds " + counts() + ", not every"
                + " change committed before it started: " + afterFault);
        recovery = Duration.ofNanos(System.nanoTime() - faultAt);
        step("the next run succeeded: bronze holds every change committed before it, %.1f s after the fault",
                recovery.toMillis() / 1000.0);
        long until = System.nanoTime() + streamTime.toNanos();
        while (System.nanoTime() < until && processes.size() < MAX_SPARK_RUNS - 1) {
            workload.requireHealthy();
            requireSuccess(startSpark());
        }
        workload.close();
        requireSuccess(startSpark());
        require(covers(expected()), "bronze does not hold every committed change after the last run: "
                + counts() + " of " + expected());
        return workload;
    }

    /**
     * Recovery: from the fault to the moment bronze holds every change committed before it and the first committed
     * after it, that is, the pipeline streams again. (A Flink job caught up at the kill already holds the former.)
     */
    private void awaitRecovery(int transactionsAtFault, long faultAt, BooleanSupplier engineHealthy) {
        await("a change committed after the fault", RECOVERY_TIMEOUT, () -> ledger.transactions() > transactionsAtFault
                && engineHealthy.getAsBoolean());
        Map<TableId, Long> afterFault = expected();
        await("bronze holds the changes committed up to just after the fault", RECOVERY_TIMEOUT,
                () -> covers(afterFault) && engineHealthy.getAsBoolean());
        recovery = Duration.ofNanos(System.nanoTime() - faultAt);
        step("streams again %.1f s after the fault", recovery.toMillis() / 1000.0);
    }


    /**
     * The pipeline captures the snapshot and some changes, stops; its slot is invalidated (the server keeps at most
     * 1 MB of WAL for slots while more piles up); the next start must refuse with exit 2 and the way out, and leave
     * bronze as it was.
     */
    private Result slotLost() throws Exception {
        String marker = "can no longer deliver every change";
        BackgroundWorkload workload = startWorkloadAfterSlot();
        pause(streamTime.toMillis());
        workload.close();
        if (fault.engine().equals("flink")) {
            EngineProcess job = processes.get(0);
            await("bronze holds every committed change", RECOVERY_TIMEOUT, () -> covers(expected()) && alive(job));
            require(job.stop(Duration.ofSeconds(30)), "the Flink JVM did not stop");
        } else {
            requireSuccess(processes.get(0));
            requireSuccess(startSpark());
        }
        Map<TableId, Long> before = counts();
        step("pipeline stopped with bronze at %s; invalidating its slot", before);
        try (Connection c = server.connect(database); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'");
            s.execute("SELECT pg_reload_conf()");
            s.execute("CREATE TABLE wal_filler (id bigint, pad text)");
            for (int i = 0; i < 20 && !"lost".equals(walStatus(s)); i++) {
                s.execute("INSERT INTO wal_filler SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g");
                s.execute("SELECT pg_switch_wal()");
                s.execute("CHECKPOINT");
            }
            String status = walStatus(s);
            s.execute("ALTER SYSTEM RESET max_slot_wal_keep_size");
            s.execute("SELECT pg_reload_conf()");
            require("lost".equals(status), "the slot's wal_status is " + status + ", not lost, after 20 rounds of WAL");
        }
        EngineProcess start = fault.engine().equals("flink") ? startFlink() : startSpark();
        int code = start.awaitExit(SLOT_TIMEOUT);
        String output = start.tail(200);
        List<String> violations = new ArrayList<>();
        if (code != 2) {
            violations.add("the start on the invalidated slot exited " + code + ", not 2 (not ready)");
        }
        if (!output.contains(marker)) {
            violations.add("the start's output does not say that the slot '" + marker + "'");
        }
        if (!counts().equals(before)) {
            violations.add("bronze changed from " + before + " to " + counts() + " on the refused start");
        }
        step("start on the invalidated slot: exit %d, %s", code, violations.isEmpty() ? "refused with the way out"
                : String.join("; ", violations));
        return new Result(index, fault, phase, parallelism, seed, null, 0, 0, processes.size(),
                new LedgerCheck.Verdict(0, 0, 0, 0, 0, 0, 0, violations), null, List.of());
    }

    private String walStatus(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT wal_status FROM pg_replication_slots WHERE slot_name = '" + slot()
                + "'")) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** Starts the engine and then the workload once its slot is consistent. */
    private BackgroundWorkload startWorkloadAfterSlot() throws Exception {
        EngineProcess first = fault.engine().equals("flink") ? startFlink() : startSpark();
        awaitSlot(first);
        return startWorkload();
    }

    private void restartPostgres() throws InterruptedException {
        Shutdown mode = fault.immediate() ? Shutdown.IMMEDIATE : Shutdown.FAST;
        EmbeddedPostgresServer restarted = fault.separateTarget() ? bronze : server;
        String which = fault.separateTarget() ? "the bronze server" : "PostgreSQL";
        step("%s: %s shutdown", which, mode.name().toLowerCase(java.util.Locale.ROOT));
        restarted.shutDown(mode);
        pause(500 + random.nextInt(2_500));
        restarted.startAgain();
        step("%s started again", which);
    }

    private EngineProcess startFlink() throws IOException {
        EngineProcess process = launcher.stream(config, dir.resolve("state"), dir.resolve("flink-" + (processes.size()
                + 1) + ".out"));
        processes.add(process);
        step("Flink job started (pid %d)", process.pid());
        return process;
    }

    private EngineProcess startSpark() throws IOException {
        Path output = dir.resolve("spark-" + (processes.size() + 1) + ".out");
        EngineProcess process = standalone != null ? standalone.submitter().start(config, output)
                : launcher.once(config, output);
        processes.add(process);
        return process;
    }

    private void requireSuccess(EngineProcess run) throws InterruptedException {
        int code = run.awaitExit(SPARK_RUN_TIMEOUT);
        require(code == 0, "the Spark run " + run.output().getFileName() + " exited " + code + ":\n" + run.tail(TAIL));
    }

    private BackgroundWorkload startWorkload() {
        return new BackgroundWorkload(() -> server.connect(database), seed, ledger, rate, 1_000_000L);
    }

    /**
     * Waits until the pipeline's slot exists and is consistent: every later commit is streamed, none is in the
     * snapshot.
     */
    private void awaitSlot(EngineProcess process) {
        await("the pipeline's slot", SLOT_TIMEOUT, () -> {
            require(process.isAlive() || process.exitCode() == 0, "the engine exited " + process.exitCode()
                    + " before it created its slot:\n" + process.tail(TAIL));
            return single("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot()
                    + "' AND confirmed_flush_lsn IS NOT NULL") == 1 && recordConsistentPoint();
        });
    }

    /** Notes the new slot's consistent point (its first confirmed position), where the workload's history starts. */
    private boolean recordConsistentPoint() {
        consistentPoint = single("SELECT (confirmed_flush_lsn - '0/0'::pg_lsn)::bigint FROM pg_replication_slots WHERE"
                + " slot_name = '" + slot() + "'");
        return consistentPoint > 0;
    }

    private void awaitSlotInactive() {
        await("no backend holds the slot", Duration.ofSeconds(60), () -> single("SELECT count(*) FROM"
                + " pg_replication_slots WHERE slot_name = '" + slot() + "' AND active") == 0);
    }

    private boolean alive(EngineProcess process) {
        require(process.isAlive(), "the Flink job exited " + process.exitCode() + ":\n" + process.tail(TAIL));
        return true;
    }

    /** What bronze must hold now: the last committed transaction of each table (see {@link #covers}). */
    private Map<TableId, Long> expected() {
        return ledger.lastTransactions();
    }

    private boolean snapshotLanded() {
        long rows = 0;
        for (TableId table : TABLES) {
            rows += single(bronze, "SELECT count(*) FROM " + SCHEMA.tableOf(table) + " WHERE tx_id IS NULL");
        }
        return rows == snapshot.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Whether bronze got as far as the given transaction of each table (the last one to change it at some moment):
     * it streamed that transaction or a later one (one connection commits them in order, so transaction ids grow in
     * commit order), or its snapshot was taken after that commit (a snapshot taken again from a new slot folds the
     * earlier changes into its rows; the WAL position read right after the commit is below the snapshot's point).
     * Whether bronze holds every change exactly is the {@link LedgerCheck}'s business.
     */
    private boolean covers(Map<TableId, Long> lastTransactions) {
        for (Map.Entry<TableId, Long> e : lastTransactions.entrySet()) {
            long walAfter = ledger.walAfterCommit(e.getValue());
            if (single(bronze, "SELECT count(*) FROM " + SCHEMA.tableOf(e.getKey()) + " WHERE tx_id >= "
                    + e.getValue() + (walAfter < 0 ? "" : " OR (tx_id IS NULL AND source_lsn >= " + walAfter + ")"))
                    <= 0) {
                return false;
            }
        }
        return true;
    }

    /** Bronze rows per table; 0 while a table or the server is not there. */
    private Map<TableId, Long> counts() {
        Map<TableId, Long> counts = new LinkedHashMap<>();
        for (TableId table : TABLES) {
            counts.put(table, single(bronze, "SELECT count(*) FROM " + SCHEMA.tableOf(table)));
        }
        return counts;
    }

    /** A one-value query; -1 when it cannot run now (the server restarting, a table not created yet). */
    private long single(String sql) {
        return single(server, sql);
    }

    private long single(EmbeddedPostgresServer on, String sql) {
        if (on.isStopped()) {
            return -1;
        }
        try (Connection c = on.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    private void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + "; bronze rows " + counts() + ", expected " + expected());
            }
            pause(100);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    private EngineProcess last() {
        return processes.get(processes.size() - 1);
    }

    private String slot() {
        return database + "_slot";
    }

    private void step(String format, Object... arguments) {
        log.printf("  run %d %s: %s%n", index, fault.label(), String.format(format, arguments));
        log.flush();
    }

    /**
     * The pipeline YAML: the run's database and slot, bronze in the same database or in the same-named one of the
     * separate bronze server, the three Pagila-shaped tables, 300 ms checkpoints.
     */
    private String yaml() {
        List<String> lines = new ArrayList<>(List.of("source:", "  host: 127.0.0.1", "  port: " + server.port(),
                "  database: " + database, "  user: " + EmbeddedPostgresServer.SUPERUSER, "  password:",
                "    file: " + passwordFile.toAbsolutePath(), "  sslmode: disable", "  slot:", "    name: " + slot(),
                "  publication:", "    name: " + slot() + "_pub"));
        if (bronze != server) {
            lines.addAll(List.of("target:", "  host: 127.0.0.1", "  port: " + bronze.port(), "  database: "
                    + database, "  user: " + EmbeddedPostgresServer.SUPERUSER, "  password:", "    file: "
                    + passwordFile.toAbsolutePath(), "  sslmode: disable"));
        }
        lines.addAll(List.of("bronze:", "  schema: " + SCHEMA.name(), "tables: [customer, payment, rental]",
                "checkpoint:", "  interval: 300ms", "batch:", "  interval: 5s", ""));
        return String.join("\n", lines);
    }
}
