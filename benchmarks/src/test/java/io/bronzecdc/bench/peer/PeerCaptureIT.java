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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A benchmark peer on the Pagila tables of the workload: started in its own JVM by its runner, it takes the
 * snapshot, then captures a seeded I/U/D workload; its bronze must then hold exactly the source's history (counts)
 * and pass the shared validators (dense lsn, order, replay equals source, slot present). Subclasses name the peer.
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
    private static final int TAIL_LINES = 40;

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
        Files.writeString(password, "trust-auth-ignores-it\n");
        Path config = work.resolve(peer.name() + "-pipeline.yaml");
        Files.writeString(config, TestPipelineYaml.of(POSTGRES.server().port(), POSTGRES.database(), slot,
                schema.name(), "file: " + password.toAbsolutePath()));
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

            ValidationReport report;
            try (Connection c = POSTGRES.connect()) {
                report = BronzeValidator.validate(c, schema, TABLES, ValidationOptions.defaults().withSlot(slot));
            }
            System.out.print(report.toText());
            assertThat(report.violations()).as("validation of %s's bronze (seed %d):%n%s", peer.name(), SEED,
                    report.toText()).isEmpty();
            assertThat(process.isAlive()).as("%s still streaming; output:%n%s", peer.name(),
                    process.tail(TAIL_LINES)).isTrue();
            assertThat(process.stop(EngineProcess.DEFAULT_GRACE)).as("%s gone after SIGTERM", peer.name()).isTrue();
        }
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

    private static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }
}
