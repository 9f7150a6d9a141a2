package io.bronzecdc.bench.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bronzecdc.cli.engine.EngineProcess;
import io.bronzecdc.cli.engine.ProjectLayout;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.PagilaFiles;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.TestPipelineYaml;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A benchmark peer on the Pagila tables of the workload: started in its own JVM by its runner, it takes the
 * snapshot, then captures a seeded I/U/D workload; its bronze must then hold exactly the source's history (counts)
 * and pass the shared validators (dense lsn, order, replay equals source, slot present). Then it is stopped
 * (SIGTERM), a backlog of whole-table updates is committed, and the restarted peer must drain it into bronze that
 * still passes; the drain rate is printed (a rough figure, not asserted). Subclasses name the peer.
 * Peer output goes to {@code target/peer-it/<peer>.out}; failure messages quote its tail.
 */
abstract class PeerCaptureIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final List<TableId> TABLES = ChangeWorkload.tables();
    /** Overridable with -Dbronze.peer.seed=<n> to replay a failure. */
    private static final long SEED = Long.getLong("bronze.peer.seed", 20_261_202L);
    private static final int TRANSACTIONS = 200;
    private static final int STATEMENTS_PER_TRANSACTION = 4;
    private static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STREAM_TIMEOUT = Duration.ofSeconds(30);
    /** Rounds of whole-table updates of payment and rental (about 32,000 changes each); -Dbronze.peer.backlog.rounds. */
    private static final int BACKLOG_ROUNDS = Integer.getInteger("bronze.peer.backlog.rounds", 1);
    private static final Duration BACKLOG_TIMEOUT = Duration.ofSeconds(60L * BACKLOG_ROUNDS);
    private static final int TAIL_LINES = 40;
    /** Trust authentication ignores it; no peer output may contain it. */
    private static final String PASSWORD = "trust-auth-ignores-it";

    /** The peer under test, built in {@code layout}. */
    abstract PeerRunner peer(ProjectLayout layout);

    @BeforeAll
    static void loadPagila() throws Exception {
        try (Connection c = POSTGRES.connect()) {
            SourceSchema.create(c);
            PagilaLoader.loadFiles(c, PagilaFiles.directory());
        }
    }

    @Test
    void shouldCaptureSnapshotAndWorkloadIntoValidBronze() throws Exception {
        PeerRunner peer = peer(ProjectLayout.fromSystemProperties());
        String slot = peer.name().replace('-', '_') + "_peer";
        BronzeSchema schema = new BronzeSchema("cdc_bronze_" + slot);
        Path work = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).resolve("target/peer-it");
        Files.createDirectories(work);
        Path password = work.resolve("source-password");
        Files.writeString(password, PASSWORD + "\n");
        Path config = work.resolve(peer.name() + "-pipeline.yaml");
        Files.writeString(config, TestPipelineYaml.of(POSTGRES.server().port(), POSTGRES.database(), slot,
                schema.name(), "file: " + password.toAbsolutePath()));
        deleteTree(peer.workDirectory(config)); // a state of an earlier run belongs to another database
        Map<TableId, Long> expected;
        try (Connection c = POSTGRES.connect()) {
            expected = counts(c, TABLES, TableId::qualifiedName);
        }
        System.out.printf("%s: seed %d (replay with -Dbronze.peer.seed=%d)%n", peer.name(), SEED, SEED);
        try (EngineProcess process = peer.start(config, work.resolve(peer.name() + ".out"))) {
            long started = System.nanoTime();
            awaitBronze(process, schema, expected, SNAPSHOT_TIMEOUT, "the Pagila snapshot");
            System.out.printf("%s: snapshot of %d rows in bronze %d ms after start (JVM start included)%n",
                    peer.name(), expected.values().stream().mapToLong(Long::longValue).sum(), millisSince(started));

            List<CommittedTransaction> committed;
            try (Connection c = POSTGRES.connect()) {
                committed = new ChangeWorkload(SEED, STATEMENTS_PER_TRANSACTION).run(c, TRANSACTIONS);
            }
            committed.stream().flatMap(tx -> tx.changes().stream())
                    .forEach(change -> expected.merge(change.table(), 1L, Long::sum));
            started = System.nanoTime();
            awaitBronze(process, schema, expected, STREAM_TIMEOUT, "the snapshot plus the workload's changes");
            System.out.printf("%s: %d workload changes in bronze %d ms after the last commit%n", peer.name(),
                    committed.stream().mapToInt(tx -> tx.changes().size()).sum(), millisSince(started));

            assertValid(peer, schema, slot, "after the workload");
            assertThat(process.isAlive()).as("%s still streaming; output:%n%s", peer.name(),
                    process.tail(TAIL_LINES)).isTrue();
            assertThat(process.stop(EngineProcess.DEFAULT_GRACE)).as("%s gone after SIGTERM", peer.name()).isTrue();
        }

        // A backlog committed while the peer is stopped: whole-table updates, one transaction each. The restarted peer
        // resumes from its own state (Debezium's offsets, Flink's retained checkpoint) and drains it.
        long backlog = 0;
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            for (int round = 0; round < BACKLOG_ROUNDS; round++) {
                long payments = s.executeUpdate("UPDATE payment SET amount = amount + 0.01");
                long rentals = s.executeUpdate("UPDATE rental SET last_update = last_update + interval '1 second'");
                expected.merge(TableId.of("payment"), payments, Long::sum);
                expected.merge(TableId.of("rental"), rentals, Long::sum);
                backlog += payments + rentals;
            }
        }
        try (EngineProcess process = peer.start(config, work.resolve(peer.name() + "-restart.out"))) {
            long started = System.nanoTime();
            awaitBronze(process, schema, expected, BACKLOG_TIMEOUT, "the backlog of " + backlog + " changes");
            long millis = Math.max(1, millisSince(started));
            System.out.printf("%s: backlog of %d changes (%d whole-table update transactions) drained %d ms after"
                    + " the restart (JVM start included): %d changes/s%n", peer.name(), backlog, 2 * BACKLOG_ROUNDS,
                    millis, backlog * 1000 / millis);
            assertValid(peer, schema, slot, "after the restart and the backlog");
            assertThat(process.stop(EngineProcess.DEFAULT_GRACE)).as("%s gone after SIGTERM", peer.name()).isTrue();
        }
        for (String run : List.of(peer.name() + ".out", peer.name() + "-restart.out")) {
            assertThat(Files.readString(work.resolve(run))).as("%s: no password in the peer's output", run)
                    .doesNotContain(PASSWORD);
        }
    }

    private static void assertValid(PeerRunner peer, BronzeSchema schema, String slot, String when)
            throws SQLException {
        ValidationReport report;
        try (Connection c = POSTGRES.connect()) {
            report = BronzeValidator.validate(c, schema, TABLES, ValidationOptions.defaults().withSlot(slot));
        }
        System.out.printf("%s, %s:%n%s", peer.name(), when, report.toText());
        assertThat(report.violations()).as("validation of %s's bronze %s (seed %d):%n%s", peer.name(), when, SEED,
                report.toText()).isEmpty();
    }

    /** Waits until the peer's bronze holds exactly {@code expected} rows per table, never more. */
    private static void awaitBronze(EngineProcess process, BronzeSchema schema, Map<TableId, Long> expected,
            Duration timeout, String what) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(250))
                    .ignoreExceptionsInstanceOf(SQLException.class) // bronze does not exist until the peer made it
                    .failFast("the peer exited", () -> !process.isAlive())
                    .untilAsserted(() -> {
                        Map<TableId, Long> counts;
                        try (Connection c = POSTGRES.connect()) {
                            counts = counts(c, List.copyOf(expected.keySet()), schema::tableOf);
                        }
                        expected.forEach((table, rows) -> assertThat(counts.get(table))
                                .as("never more rows than expected in %s", table).isLessThanOrEqualTo(rows));
                        assertThat(counts).containsExactlyInAnyOrderEntriesOf(expected);
                    });
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw new AssertionError(process.engine() + "'s bronze did not reach " + what + " " + expected + ": "
                    + e.getMessage() + "\n" + process + ", last output:\n" + process.tail(TAIL_LINES)
                    + "\nseed " + SEED, e);
        }
    }

    private interface Relation {
        String of(TableId table);
    }

    private static Map<TableId, Long> counts(Connection c, List<TableId> tables, Relation relation)
            throws SQLException {
        Map<TableId, Long> counts = new LinkedHashMap<>();
        try (Statement s = c.createStatement()) {
            for (TableId table : tables) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + relation.of(table))) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        }
        return counts;
    }

    private static void deleteTree(Path directory) throws IOException {
        if (Files.exists(directory)) {
            try (Stream<Path> paths = Files.walk(directory)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    private static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }
}
