package io.bronzecdc.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.NavigableSet;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source transaction of {@value #BIG_CHANGES} changes (about 200 MB of row text) becomes visible in its table's
 * bronze log at once, in one bronze transaction: a reader polling the log never sees part of it. The job runs in a
 * JVM of its own whose heap ({@value #JOB_HEAP}) could not hold the transaction, on a server with
 * {@code max_prepared_transactions = 0} (the default of managed services), and is killed (SIGKILL) after a
 * checkpoint completed inside the transaction: the next start resumes from that checkpoint, sends the transaction
 * again whole and bronze gets it once. Small transactions on a second table run meanwhile.
 */
class WholeTransactionIT {
    private static final int BIG_CHANGES = 200_000;
    private static final int BIG_BEFORE = 10;
    private static final int SIDE_TRANSACTIONS = 200;
    private static final String JOB_HEAP = "-Xmx256m";
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String SCHEMA = BronzeSchema.DEFAULT_NAME;
    private static final TableId BIG = TableId.of("big");
    private static final TableId SIDE = TableId.of("side");

    private static EmbeddedPostgresServer server;

    @BeforeAll
    static void startServer() {
        server = EmbeddedPostgresServer.start(EmbeddedPostgresServer.Options.defaults()
                .withSetting("max_prepared_transactions", "0"));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldMakeALargeTransactionVisibleAtOnceWithABoundedHeapWithoutPreparedTransactions(@TempDir Path dir)
            throws Exception {
        long seed = new SplittableRandom().nextLong();
        System.out.println("WholeTransactionIT seed " + seed);
        server.createDatabase("whole");
        try (Connection c = server.connect("whole"); Statement s = c.createStatement()) {
            assertThat(setting(s, "max_prepared_transactions")).isEqualTo("0");
            s.execute("CREATE TABLE big (id int PRIMARY KEY, payload text NOT NULL)");
            s.execute("CREATE TABLE side (id serial PRIMARY KEY, v text)");
            s.execute("INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, " + BIG_BEFORE + ") g");
            s.execute("INSERT INTO side (v) SELECT 'before ' || g FROM generate_series(1, 5) g");
        }
        Path config = writeConfig(dir);
        Path state = dir.resolve("state");
        Process job = startJob(config, state, dir.resolve("job-1.log"));
        NavigableSet<Long> seen = new ConcurrentSkipListSet<>();
        AtomicBoolean reading = new AtomicBoolean(true);
        AtomicReference<Throwable> readerFailure = new AtomicReference<>();
        Thread reader = new Thread(() -> poll(seen, reading, readerFailure), "bronze-reader");
        try (Connection c = server.connect("whole"); Statement s = c.createStatement()) {
            awaitMaxLsn(s, BIG, BIG_BEFORE, job);
            awaitMaxLsn(s, SIDE, 5, job);
            reader.start();

            SideWriter side = new SideWriter(seed);
            side.start();
            c.setAutoCommit(false);
            // One transaction: about 1 KB of text per row, different per row so that it does not compress away.
            s.execute("INSERT INTO big SELECT g, repeat(md5(g::text || '" + seed + "'), 32) FROM generate_series("
                    + (BIG_BEFORE + 1) + ", " + (BIG_BEFORE + BIG_CHANGES) + ") g");
            c.commit();
            c.setAutoCommit(true);
            long checkpointsAtCommit = completedCheckpoints(state);

            // Kill the job once a checkpoint completed after the commit while bronze does not show the transaction.
            await("a checkpoint completed inside the large transaction").atMost(WAIT)
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> completedCheckpoints(state) > checkpointsAtCommit);
            long atKill = maxLsn(s, BIG);
            job.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
            assertThat(atKill).as("the job was killed before the large transaction reached bronze")
                    .isEqualTo(BIG_BEFORE);
            side.join();

            job = startJob(config, state, dir.resolve("job-2.log"));
            awaitMaxLsn(s, BIG, BIG_BEFORE + BIG_CHANGES, job);
            awaitMaxLsn(s, SIDE, 5 + SIDE_TRANSACTIONS, job);
            reading.set(false);
            reader.join();
            assertThat(readerFailure.get()).as("reader failure").isNull();
            assertThat(seen).as("max(lsn) values a reader of " + BIG + "'s log saw: before and after, nothing between")
                    .containsExactly((long) BIG_BEFORE, (long) BIG_BEFORE + BIG_CHANGES);
            try (ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT load_ts) FROM " + SCHEMA
                    + ".br_big_cdc WHERE lsn > " + BIG_BEFORE)) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(BIG_CHANGES);
                assertThat(rs.getLong(2)).as("bronze transactions (load_ts is the transaction's start)").isOne();
            }
            assertThat(BronzeValidator.validate(c, new BronzeSchema(SCHEMA), List.of(BIG, SIDE),
                    ValidationOptions.defaults()).violations()).as("validation").isEmpty();
        } finally {
            reading.set(false);
            job.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
        }
    }

    /**
     * Polls the log's max(lsn) on its own connection until told to stop, then once more, recording every value seen.
     */
    private static void poll(NavigableSet<Long> seen, AtomicBoolean reading, AtomicReference<Throwable> failure) {
        try (Connection c = server.connect("whole"); Statement s = c.createStatement()) {
            while (reading.get()) {
                seen.add(maxLsn(s, BIG));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            // One read after being told to stop: the main thread saw the final value before it said so, and this
            // thread's last read in the loop may have started before that value was committed.
            seen.add(maxLsn(s, BIG));
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    /** Small transactions on the second table, one row each, while the large one streams. */
    private static final class SideWriter extends Thread {
        private final long seed;

        SideWriter(long seed) {
            super("side-writer");
            this.seed = seed;
        }

        @Override
        public void run() {
            SplittableRandom random = new SplittableRandom(seed);
            try (Connection c = server.connect("whole"); Statement s = c.createStatement()) {
                for (int i = 0; i < SIDE_TRANSACTIONS; i++) {
                    s.execute("INSERT INTO side (v) VALUES ('" + random.nextLong() + "')");
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static Path writeConfig(Path dir) throws Exception {
        Path password = dir.resolve("password");
        Files.writeString(password, "unused (trust authentication)\n");
        Path config = dir.resolve("pipeline.yaml");
        Files.writeString(config, String.join("\n",
                "source:",
                "  host: 127.0.0.1",
                "  port: " + server.port(),
                "  database: whole",
                "  user: " + EmbeddedPostgresServer.SUPERUSER,
                "  password:",
                "    file: " + password,
                "  sslmode: disable",
                "  slot:",
                "    name: it_whole",
                "  publication:",
                "    name: it_whole_pub",
                "bronze:",
                "  schema: " + SCHEMA,
                "tables: [big, side]",
                "checkpoint:",
                "  interval: 200ms",
                ""));
        return config;
    }

    /** The job in a JVM of its own with a small heap: in-process Flink, checkpoints in {@code state}. */
    private static Process startJob(Path config, Path state, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, JOB_HEAP, "-XX:+ExitOnOutOfMemoryError", "-cp",
                System.getProperty("java.class.path"), BronzeCdcJob.class.getName(), "--config", config.toString(),
                "--local-state", state.toString(), "--init")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static long completedCheckpoints(Path state) throws Exception {
        if (!Files.isDirectory(state)) {
            return 0;
        }
        try (var files = Files.walk(state, 3)) {
            return files.filter(p -> p.getFileName().toString().equals("_metadata")).count();
        }
    }

    private static void awaitMaxLsn(Statement s, TableId table, long lsn, Process job) {
        await(table + " reaching lsn " + lsn).atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            assertThat(job.isAlive()).as("the job process is running (its log is in the test's temp dir)").isTrue();
            return maxLsn(s, table) >= lsn;
        });
        assertThat(uncheckedMaxLsn(s, table)).as(table + "'s last lsn").isEqualTo(lsn);
    }

    private static long uncheckedMaxLsn(Statement s, TableId table) {
        try {
            return maxLsn(s, table);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long maxLsn(Statement s, TableId table) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT coalesce(max(lsn), 0) FROM "
                + new BronzeSchema(SCHEMA).tableOf(table))) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                return 0; // the job has not created the log yet
            }
            throw e;
        }
    }

    private static String setting(Statement s, String name) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT current_setting('" + name + "')")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
