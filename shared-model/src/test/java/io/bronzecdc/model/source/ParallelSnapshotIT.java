package io.bronzecdc.model.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.config.Secret;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SourceConnections;
import io.bronzecdc.model.testing.PostgresExtension;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A snapshot read in chunks by several connections ({@link ParallelSnapshot}) gives exactly the table's rows: as a
 * multiset, every row's {@code full_row} equals the server's {@code to_jsonb} of a row of the same exported snapshot
 * (compared as jsonb text), with the exact count and no row twice, on seeded random data: a keyed table of many
 * chunks with dead and updated rows, a keyless table holding duplicate rows, an empty table, a table smaller than one
 * chunk, a partitioned table (read through its root) and odd names. Rows committed after the export are not read.
 */
class ParallelSnapshotIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final TableId BIG = new TableId("Odd \"Schema\".x", "Big table.1");
    private static final TableId KEYLESS = TableId.of("keyless");
    private static final TableId EMPTY = TableId.of("empty");
    private static final TableId TINY = TableId.of("tiny ünï");
    private static final TableId PARTITIONED = TableId.of("parted");
    private static final List<TableId> TABLES = List.of(BIG, KEYLESS, EMPTY, TINY, PARTITIONED);

    @Test
    void chunksReadByManyConnectionsGiveExactlyTheSnapshotsRows() throws Exception {
        long seed = Long.getLong("test.seed", System.nanoTime());
        System.out.println("ParallelSnapshotIT seed " + seed + " (rerun with -Dtest.seed=" + seed + ")");
        String database = POSTGRES.newDatabase("chunks");
        try (Connection c = POSTGRES.connect(database)) {
            load(c, seed);
            SourceConnections connections = new SourceConnections(POSTGRES.server().jdbcUrl(database), "postgres",
                    Secret.of("trust-auth-ignores-it"), "parallel snapshot test");
            try (ExportedSnapshot exported = ExportedSnapshot.createSlot(connections, "parallel_snapshot_it")) {
                // committed after the export: in no row of the snapshot
                try (Statement s = c.createStatement()) {
                    s.execute("INSERT INTO " + BIG.quoted() + " (id, label) VALUES (-1, 'after the export')");
                    s.execute("INSERT INTO " + KEYLESS.quoted() + " VALUES (-1, 'after the export')");
                    s.execute("INSERT INTO " + EMPTY.quoted() + " VALUES (-1)");
                }
                Map<TableId, List<String>> expected = expected(connections, exported);
                assertThat(expected.get(BIG)).hasSizeGreaterThan(5_000);
                assertThat(SnapshotPlan.chunks(c, List.of(BIG), 8)).as("the big table spans many chunks")
                        .hasSizeGreaterThan(10);

                Map<TableId, List<String>> ours = new ConcurrentHashMap<>();
                Set<String> threads = ConcurrentHashMap.newKeySet();
                Thread caller = Thread.currentThread();
                long rows = ParallelSnapshot.read(connections, exported, TABLES,
                        new ParallelSnapshot.Options(3, 8, 97, 2), change -> {
                            threads.add(Thread.currentThread().getName());
                            return change;
                        }, change -> {
                            assertThat(Thread.currentThread()).isSameAs(caller);
                            assertThat(change.op()).isEqualTo(Op.INSERT);
                            assertThat(change.position().commitLsn()).isEqualTo(exported.consistentPoint());
                            ours.computeIfAbsent(change.table(), t -> new ArrayList<>()).add(change.fullRow());
                        });

                long expectedRows = expected.values().stream().mapToLong(List::size).sum();
                assertThat(rows).isEqualTo(expectedRows);
                assertThat(threads).as("rows were read by several connections").hasSizeGreaterThan(1);
                for (TableId table : TABLES) {
                    List<String> got = asJsonb(c, ours.getOrDefault(table, List.of()));
                    assertThat(got).as("%s (seed %d): as a multiset, the rows of the snapshot", table, seed)
                            .isEqualTo(expected.get(table));
                }
                assertThat(ours.getOrDefault(EMPTY, List.of())).isEmpty();
                assertThat(duplicates(expected.get(KEYLESS))).as("the keyless table holds equal rows").isPositive();
            }
        }
    }

    @Test
    void aFailingReaderFailsTheWholeReadAndStopsTheOthers() throws Exception {
        String database = POSTGRES.newDatabase("failing");
        try (Connection c = POSTGRES.connect(database)) {
            load(c, 7);
            SourceConnections connections = new SourceConnections(POSTGRES.server().jdbcUrl(database), "postgres",
                    Secret.of("trust-auth-ignores-it"), "parallel snapshot test");
            try (ExportedSnapshot exported = ExportedSnapshot.createSlot(connections, "parallel_snapshot_fail")) {
                List<ChangeEvent> handed = new ArrayList<>();
                assertThatThrownBy(() -> ParallelSnapshot.read(connections, exported, TABLES,
                        new ParallelSnapshot.Options(2, 8, 10, 1), change -> {
                            if (change.fullRow().contains("\"id\": 4242,") || change.fullRow().contains("\"id\":4242,")) {
                                throw new IllegalStateException("row 4242 refused");
                            }
                            return change;
                        }, handed::add)).isInstanceOf(IllegalStateException.class).hasMessage("row 4242 refused");
                assertThat((long) handed.size()).isLessThan(expectedCount(c));
            }
            Awaitility.await("the readers closed their connections").atMost(Duration.ofSeconds(30))
                    .until(() -> {
                        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM"
                                + " pg_stat_activity WHERE application_name = 'parallel snapshot test'")) {
                            rs.next();
                            return rs.getLong(1) == 0;
                        }
                    });
        }
    }

    private static long expectedCount(Connection c) throws SQLException {
        long total = 0;
        for (TableId table : TABLES) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM "
                    + table.quoted())) {
                rs.next();
                total += rs.getLong(1);
            }
        }
        return total;
    }

    /** Creates and fills the tables from {@code seed}. */
    private static void load(Connection c, long seed) throws SQLException {
        Random random = new Random(seed);
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA \"Odd \"\"Schema\"\".x\"");
            s.execute("CREATE TABLE " + BIG.quoted() + " (id bigint PRIMARY KEY, label text, amount numeric(14,4),"
                    + " ratio float8, score float4, at timestamptz, day date, doc jsonb, blob bytea, flags int[])");
            s.execute("CREATE TABLE " + KEYLESS.quoted() + " (n int, note text)");
            s.execute("CREATE TABLE " + EMPTY.quoted() + " (id int PRIMARY KEY)");
            s.execute("CREATE TABLE " + TINY.quoted() + " (\"ключ\" int PRIMARY KEY, \"a \"\"b\"\"\" text)");
            s.execute("CREATE TABLE " + PARTITIONED.quoted() + " (id int, region text, PRIMARY KEY (id, region))"
                    + " PARTITION BY LIST (region)");
            s.execute("CREATE TABLE parted_eu PARTITION OF parted FOR VALUES IN ('eu')");
            s.execute("CREATE TABLE parted_us PARTITION OF parted FOR VALUES IN ('us')");
            s.execute("SELECT setseed(" + (random.nextDouble() * 2 - 1) + ")");
            s.execute("INSERT INTO " + BIG.quoted() + " SELECT g,"
                    + " CASE WHEN random() < 0.1 THEN NULL ELSE repeat(chr(65 + (random() * 25)::int), (random() * 40)::int)"
                    + " || 'é日🙂' || g END,"
                    + " round((random() * 1e9)::numeric, (random() * 4)::int),"
                    + " CASE WHEN random() < 0.05 THEN 'NaN'::float8 WHEN random() < 0.05 THEN '-Infinity' ELSE"
                    + " (random() - 0.5) * 10 ^ ((random() * 60)::int - 30) END,"
                    + " (random() * 1e6)::float4,"
                    + " timestamptz '1970-01-01 00:00:00+00' + random() * interval '80 years'"
                    + " + (random() * 1000000)::int * interval '1 microsecond',"
                    + " date '2000-01-01' + (random() * 10000)::int,"
                    + " jsonb_build_object('k', g, 'v', random(), 'nested', jsonb_build_array(g, 'x'))," 
                    + " decode(md5(g::text), 'hex'),"
                    + " ARRAY[g::int, (random() * 100)::int]"
                    + " FROM generate_series(1, 12000) g");
            // dead rows and new versions scattered over the pages
            s.execute("DELETE FROM " + BIG.quoted() + " WHERE id % 7 = 3");
            s.execute("UPDATE " + BIG.quoted() + " SET label = 'updated ' || id WHERE id % 11 = 5");
            s.execute("INSERT INTO " + KEYLESS.quoted() + " SELECT (random() * 50)::int, CASE WHEN random() < 0.5"
                    + " THEN 'same' ELSE NULL END FROM generate_series(1, 3000)");
            s.execute("INSERT INTO " + TINY.quoted() + " VALUES (1, 'ein'), (2, NULL), (3, 'drei \"q\"')");
            s.execute("INSERT INTO " + PARTITIONED.quoted() + " SELECT g, CASE WHEN g % 3 = 0 THEN 'eu' ELSE 'us'"
                    + " END FROM generate_series(1, 500) g");
        }
    }

    /** Every table's {@code to_jsonb} rows in the exported snapshot, under UTC, sorted. */
    private static Map<TableId, List<String>> expected(SourceConnections connections, ExportedSnapshot exported)
            throws SQLException {
        Map<TableId, List<String>> rows = new LinkedHashMap<>();
        try (Connection c = connections.open("expected rows")) {
            exported.importInto(c);
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL TimeZone = 'UTC'");
                for (TableId table : TABLES) {
                    List<String> list = new ArrayList<>();
                    try (ResultSet rs = s.executeQuery("SELECT to_jsonb(t)::text FROM " + table.quoted() + " t")) {
                        while (rs.next()) {
                            list.add(rs.getString(1));
                        }
                    }
                    Collections.sort(list);
                    rows.put(table, list);
                }
            }
            c.rollback();
        }
        return rows;
    }

    /** Ours as the server prints them once stored as jsonb, sorted. */
    private static List<String> asJsonb(Connection c, List<String> rows) throws SQLException {
        List<String> list = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT x::jsonb::text FROM unnest(?::text[]) x")) {
            Array array = c.createArrayOf("text", rows.toArray());
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    list.add(rs.getString(1));
                }
            }
        }
        Collections.sort(list);
        return list;
    }

    private static long duplicates(List<String> rows) {
        Map<String, Integer> counts = new HashMap<>();
        rows.forEach(row -> counts.merge(row, 1, Integer::sum));
        return counts.values().stream().filter(n -> n > 1).count();
    }
}
