package io.bronzecdc.model.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.bronze.BronzeJdbcWriter;
import io.bronzecdc.model.bronze.BronzeMigrator;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.sequence.Sequencer;
import io.bronzecdc.model.source.PgTypeCatalog;
import io.bronzecdc.model.source.SnapshotReader;
import io.bronzecdc.model.source.SourceCatalog;
import io.bronzecdc.model.testing.KeylessWorkload;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.Check;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.model.validate.Violation;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shared capture path on a table without a primary key (duplicates, NULLs, updates of several identical rows,
 * deletes of one of two identical rows) and on a keyed table whose keys change (two rows swapping keys in one
 * transaction): a real pgoutput slot, the shared decoder with the keys the catalog gives, the sequencer, bronze.
 * Bronze must hold exactly the history the workload recorded (each such update a D then an I, adjacent), pass every
 * validator, and replay to the source (by key, and as a multiset for the keyless table). The multiset replay check
 * must also find a missing copy, an extra copy and a U of a keyless table.
 *
 * <p>Seed: {@code -Dbronze.keyless.seed=N}; printed at start.
 */
class KeylessCaptureIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final long SEED = Long.getLong("bronze.keyless.seed", 20_261_201L);
    private static final List<TableId> TABLES = List.of(KeylessWorkload.KEYLESS, KeylessWorkload.KEYED);
    private static final BronzeSchema BRONZE = new BronzeSchema("kl_bronze");
    private static final AtomicInteger DATABASES = new AtomicInteger();

    @Test
    void shouldLogEveryKeyChangingOrKeylessUpdateAsAdjacentDeleteAndInsertAndReplayToTheSource() throws Exception {
        System.out.println("KeylessCaptureIT seed " + SEED + " (replay with -Dbronze.keyless.seed=" + SEED + ")");
        try (Connection c = capturedDatabase(); Connection work = POSTGRES.connect(c.getCatalog())) {
            KeylessWorkload workload = KeylessWorkload.create(work, SEED, 8);
            snapshotAndCreateSlot(c);
            workload.run(60);

            capture(c);

            for (TableId table : TABLES) {
                assertThat(KeylessWorkload.bronzeHistory(c, BRONZE, table))
                        .as("streamed op, tx and full_row of %s against the workload, in order (seed %d)", table, SEED)
                        .containsExactlyElementsOf(workload.history(table));
            }
            long splitUpdates = workload.changes().stream().filter(change -> change.op().code() == 'D').count();
            assertThat(KeylessWorkload.adjacentDeleteInsertPairs(c, BRONZE, KeylessWorkload.KEYLESS)
                    + KeylessWorkload.adjacentDeleteInsertPairs(c, BRONZE, KeylessWorkload.KEYED))
                    .as("adjacent D,I pairs").isPositive().isLessThanOrEqualTo(splitUpdates);
            ValidationReport report = BronzeValidator.validate(c, BRONZE, TABLES, ValidationOptions.defaults());
            assertThat(report.violations()).as("%s (seed %d)", report.toText(), SEED).isEmpty();
        }
    }

    @Test
    void shouldFindAMissingCopyAnExtraCopyAndAnUpdateOfAKeylessTable() throws Exception {
        try (Connection c = capturedDatabase(); Connection work = POSTGRES.connect(c.getCatalog())) {
            KeylessWorkload.create(work, SEED, 4);
            snapshotAndCreateSlot(c);
            ValidationOptions options = ValidationOptions.defaults();
            assertThat(BronzeValidator.validate(c, BRONZE, TABLES, options).violations()).isEmpty();
            String keylessLog = BRONZE.tableOf(KeylessWorkload.KEYLESS);
            try (Statement s = c.createStatement()) {
                // One more copy of a duplicated row in the source: the log has one copy too few.
                s.execute("INSERT INTO kl_events VALUES ('a', 1.50, NULL)");
                assertOnly(BronzeValidator.validate(c, BRONZE, TABLES, options), Check.REPLAY_MISSING, 1,
                        "source row {\"kind\": \"a\", \"amount\": 1.50} is missing");
                // Two copies fewer in the source than in the log.
                s.execute("DELETE FROM kl_events WHERE ctid IN (SELECT ctid FROM kl_events WHERE kind = 'a'"
                        + " AND amount = 1.50 AND note IS NULL LIMIT 3)");
                assertOnly(BronzeValidator.validate(c, BRONZE, TABLES, options), Check.REPLAY_EXTRA, 2,
                        "folded row {\"kind\": \"a\", \"amount\": 1.50} (lsn");
                s.execute("INSERT INTO kl_events VALUES ('a', 1.50, NULL), ('a', 1.50, NULL)");
                assertThat(BronzeValidator.validate(c, BRONZE, TABLES, options).violations()).isEmpty();
                s.execute("INSERT INTO " + keylessLog + " (lsn, op, full_row, source_lsn, tx_id, commit_ts)"
                        + " SELECT max(lsn) + 1, 'U', '{\"kind\": \"z\"}', 1, 1, now() FROM " + keylessLog);
                ValidationReport report = BronzeValidator.validate(c, BRONZE, TABLES, options);
                assertThat(report.violations()).extracting(Violation::check).contains(Check.REPLAY_DIFFERENT);
                assertThat(report.toText()).contains("for a table without a primary key");
            }
        }
    }

    private static Connection capturedDatabase() throws SQLException {
        return POSTGRES.connect(POSTGRES.newDatabase("kl" + DATABASES.incrementAndGet()));
    }

    /** The slot first, then the snapshot (nothing changes in between): an exact handover. */
    private static void snapshotAndCreateSlot(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE PUBLICATION kl_pub FOR TABLE " + KeylessWorkload.tableList());
            s.execute("SELECT pg_create_logical_replication_slot('" + slot(c) + "', 'pgoutput')");
            s.execute("SET TimeZone = 'UTC'");
        }
        BronzeMigrator.migrate(c, BRONZE, TABLES);
        List<ChangeEvent> snapshot = new ArrayList<>();
        for (TableId table : TABLES) {
            SnapshotReader.read(c, table, PgLsn.ZERO, snapshot::add);
        }
        new BronzeJdbcWriter(BRONZE).write(c, new Sequencer(new BronzeJdbcWriter(BRONZE).lastLsn(c, TABLES))
                .assign(snapshot));
    }

    /** Decodes the slot's changes with the keys the catalog gives, sequences them after the snapshot, writes them. */
    private static void capture(Connection c) throws SQLException {
        PgOutputDecoder decoder = new PgOutputDecoder(TABLES::contains, new PgTypeCatalog(c),
                SourceCatalog.updateRules(c, TABLES)::get);
        List<ChangeEvent> events = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT lsn::text, data FROM"
                + " pg_logical_slot_peek_binary_changes(?, NULL, NULL, 'proto_version', '1',"
                + " 'publication_names', 'kl_pub')")) {
            ps.setString(1, slot(c));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events.addAll(decoder.decode(PgLsn.parse(rs.getString(1)), ByteBuffer.wrap(rs.getBytes(2))));
                }
            }
        }
        BronzeJdbcWriter writer = new BronzeJdbcWriter(BRONZE);
        writer.write(c, new Sequencer(writer.lastLsn(c, TABLES)).assign(events));
    }

    /** Slots are per server: one per test database. */
    private static String slot(Connection c) throws SQLException {
        return c.getCatalog() + "_slot";
    }

    private static void assertOnly(ValidationReport report, Check check, long count, String example) {
        assertThat(report.violations()).as(report.toText()).singleElement().satisfies(v -> {
            assertThat(v.table()).isEqualTo(KeylessWorkload.KEYLESS.name());
            assertThat(v.check()).isEqualTo(check);
            assertThat(v.count()).as("copies").isEqualTo(count);
            assertThat(v.example()).contains(example);
        });
    }
}
