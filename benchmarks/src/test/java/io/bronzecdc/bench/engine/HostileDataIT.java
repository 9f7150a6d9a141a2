package io.bronzecdc.bench.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bronzecdc.bench.engine.BronzeLogs.Difference;
import io.bronzecdc.bench.engine.EnginePair.Pipeline;
import io.bronzecdc.cli.engine.EngineProcess;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SqlNames;
import io.bronzecdc.model.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile data through both engines: the Flink job (default pgoutput source) and Spark micro-batch runs, each in a
 * JVM of its own, capture the same hostile source ({@link HostileData}: 4-byte unicode, combining marks, right-to-left
 * text and control characters in text, varchar, jsonb keys and values and text[] elements; 1 MB TOASTed values with
 * updates that leave them unchanged; NULL in every nullable column; numeric and time edge values; 1,000 columns; one
 * large transaction; ADD/DROP/ALTER COLUMN between changes) into two bronze schemas, first as a snapshot, then as
 * streamed changes. For each engine: exactly the changes committed, the shared validators pass (replay equals
 * source); the two engines' snapshots are equal multisets, their streamed rows agree in every column but load_ts.
 * Last, a table switched to REPLICA IDENTITY DEFAULT is refused by both, each with a message naming the table and
 * the fix (the documented refusal: full_row needs whole old rows).
 *
 * <p>Seed: {@code -Dbronze.hostile.seed=N}; each case prints its own. Short sizes by default (a 20,000-change
 * transaction, 1 MB values in a few rows, 1,000 columns in a few rows); {@code -Dbronze.hostile.full=true} runs the
 * full ones (a 1,000,000-change transaction). Engine output goes to {@code target/hostile-data-it/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileDataIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final long SEED = Long.getLong("bronze.hostile.seed", 20_261_202L);
    private static final boolean FULL = Boolean.getBoolean("bronze.hostile.full");
    private static final HostileData.Sizes SIZES = HostileData.Sizes.of(FULL);
    private static final Pipeline FLINK = new Pipeline("flink", "flink_hostile",
            new BronzeSchema("hostile_bronze_flink"));
    private static final Pipeline SPARK = new Pipeline("spark", "spark_hostile",
            new BronzeSchema("hostile_bronze_spark"));
    private static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(FULL ? 600 : 90);
    private static final Duration STREAM_TIMEOUT = Duration.ofSeconds(FULL ? 1800 : 90);
    private static final Duration SPARK_RUN_TIMEOUT = Duration.ofSeconds(FULL ? 1800 : 120);
    private static final List<TableId> TABLES = HostileData.TABLES;

    private static EnginePair engines;
    private static EngineProcess flink;
    private static Connection workConnection;
    private static HostileData data;
    private static String context;
    private static Map<TableId, Long> snapshot;
    private static boolean snapshotsLanded;
    private static boolean changesLanded;

    @BeforeAll
    static void createHostileTablesAndStartFlink() throws Exception {
        context = "seed " + SEED + (FULL ? ", full sizes" : ", short sizes") + " " + SIZES
                + " (replay with -Dbronze.hostile.seed=" + SEED + (FULL ? " -Dbronze.hostile.full=true" : "") + ")";
        System.out.println("HostileDataIT " + context);
        engines = new EnginePair(POSTGRES, "target/hostile-data-it", FLINK, SPARK);
        engines.context(context);
        workConnection = POSTGRES.connect();
        data = new HostileData(workConnection, SEED, SIZES);
        data.create();
        snapshot = new LinkedHashMap<>();
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            for (TableId table : TABLES) {
                snapshot.put(table, single(s, "SELECT count(*) FROM " + table.quoted()));
            }
            // The Flink job creates its publication itself (--init); the Spark job expects one.
            s.execute("CREATE PUBLICATION " + SPARK.slot() + "_pub FOR TABLE " + TABLES.stream().map(TableId::quoted)
                    .collect(Collectors.joining(", ")) + " WITH (publish_via_partition_root = true)");
        }
        System.out.println("HostileDataIT snapshot rows " + snapshot);
        String names = TABLES.stream().map(TableId::name).collect(Collectors.joining(", "));
        engines.writeConfigs(yaml -> yaml.replace("tables: [customer, payment, rental]", "tables: [" + names + "]"));
        flink = engines.startFlink();
    }

    @AfterAll
    static void stopFlink() throws Exception {
        if (workConnection != null) {
            workConnection.close();
        }
        if (flink != null) {
            boolean gone = flink.stop(EngineProcess.DEFAULT_GRACE);
            assertThat(gone).as("%s gone after stop", flink).isTrue();
        }
    }

    @Test
    @Order(1)
    void shouldSnapshotHostileDataWithBothEngines() throws Exception {
        try (EngineProcess run = engines.startSpark("spark-run-1")) {
            engines.awaitSuccess(run, SPARK_RUN_TIMEOUT);
        }
        engines.awaitFlinkBronze(snapshot, SNAPSHOT_TIMEOUT, "the snapshot");
        try (Connection c = POSTGRES.connect()) {
            for (Pipeline pipeline : List.of(FLINK, SPARK)) {
                assertThat(BronzeLogs.snapshotCounts(c, pipeline.schema(), TABLES))
                        .as("snapshot rows (tx_id null) in %s, %s", pipeline.schema(), context)
                        .containsExactlyInAnyOrderEntriesOf(snapshot);
                engines.assertValid(c, pipeline, TABLES);
            }
            for (TableId table : TABLES) {
                Difference onlyFlink = BronzeLogs.snapshotExcept(c, FLINK.schema(), SPARK.schema(), table);
                Difference onlySpark = BronzeLogs.snapshotExcept(c, SPARK.schema(), FLINK.schema(), table);
                assertThat(onlyFlink.rows()).as("snapshot rows of %s only in flink's bronze, e.g. %s; %s", table,
                        onlyFlink.example().orElse("-"), context).isZero();
                assertThat(onlySpark.rows()).as("snapshot rows of %s only in spark's bronze, e.g. %s; %s", table,
                        onlySpark.example().orElse("-"), context).isZero();
            }
        }
        snapshotsLanded = true;
    }

    @Test
    @Order(2)
    void shouldStreamHostileChangesWithBothEngines() throws Exception {
        assertThat(snapshotsLanded).as("both snapshots landed (previous test)").isTrue();
        long started = System.nanoTime();
        data.stream();
        Map<TableId, Long> changes = data.streamedChanges();
        System.out.printf("HostileDataIT streamed changes %s committed in %d ms%n", changes,
                (System.nanoTime() - started) / 1_000_000);
        Map<TableId, Long> expected = new LinkedHashMap<>(snapshot);
        changes.forEach((table, n) -> expected.merge(table, n, Long::sum));

        try (EngineProcess run = engines.startSpark("spark-run-2")) {
            engines.awaitFlinkBronze(expected, STREAM_TIMEOUT, "the snapshot plus the hostile changes");
            engines.awaitSuccess(run, SPARK_RUN_TIMEOUT);
        }

        try (Connection c = POSTGRES.connect()) {
            for (Pipeline pipeline : List.of(FLINK, SPARK)) {
                assertThat(BronzeLogs.counts(c, pipeline.schema(), TABLES)).as("rows in %s, %s", pipeline.schema(),
                        context).containsExactlyInAnyOrderEntriesOf(expected);
                assertThat(hostileValuesMissing(c, pipeline.schema())).as("%s: hostile values that no streamed row"
                        + " holds (the cases must reach bronze, or replay equals source proves little); %s",
                        pipeline.engine(), context).isEmpty();
                engines.assertValid(c, pipeline, TABLES);
                assertThat(bigValuesNotWritten(c, pipeline.schema())).as("%s: streamed rows of %s whose 1 MB value"
                        + " (big) is not one the source was given (an unchanged-TOAST marker must be filled from the"
                        + " old row); %s", pipeline.engine(), HostileData.TOAST, context).isEmpty();
                assertThat(schemaChanges(c, pipeline.schema())).as("%s: schema changes of %s recorded in order; %s",
                        pipeline.engine(), HostileData.DDL, context).containsExactly("ALTER TABLE", "ALTER TABLE",
                                "ALTER TABLE", "ALTER TABLE", "ALTER TABLE", "ALTER TABLE");
            }
            for (TableId table : TABLES) {
                engines.assertSameStream(c, table);
            }
        }
        changesLanded = true;
    }

    /**
     * REPLICA IDENTITY DEFAULT is refused by design: an update that leaves a TOASTed value alone then carries only a
     * marker for it and no old row to fill it from, so full_row could not be complete. The Spark run refuses at its
     * preflight (exit 2, nothing written); the Flink job stops at the first such change without writing it.
     */
    @Test
    @Order(3)
    void shouldRefuseUnchangedToastWithoutReplicaIdentityFull() throws Exception {
        assertThat(changesLanded).as("both engines captured the hostile changes (previous test)").isTrue();
        Map<TableId, Long> before;
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            before = BronzeLogs.counts(c, FLINK.schema(), TABLES);
            s.execute("ALTER TABLE " + HostileData.TOAST.quoted() + " REPLICA IDENTITY DEFAULT");
            s.execute("UPDATE " + HostileData.TOAST.quoted() + " SET note = note + 1 WHERE id = 1");
        }
        try (EngineProcess run = engines.startSpark("spark-run-refused")) {
            int exitCode = run.awaitExit(Duration.ofSeconds(120));
            String output = run.tail(EnginePair.TAIL_LINES);
            assertThat(exitCode).as("spark exit code with REPLICA IDENTITY DEFAULT; output:%n%s", output).isEqualTo(2);
            assertThat(output).as("spark names the table and the fix").contains("public.h_toast")
                    .contains("REPLICA IDENTITY FULL");
        }
        await("the flink job stops on the change it cannot log whole").atMost(Duration.ofSeconds(60))
                .until(() -> !flink.isAlive());
        String output = flink.tail(EnginePair.TAIL_LINES * 4);
        assertThat(flink.awaitExit(Duration.ofSeconds(5))).as("flink exit code (1: the job failed); output:%n%s",
                output).isEqualTo(1);
        assertThat(output).as("flink names the table, the unchanged-TOAST marker and the fix")
                .contains("the job failed for good").contains("h_toast").contains("unchanged-TOAST")
                .contains("REPLICA IDENTITY FULL");
        try (Connection c = POSTGRES.connect()) {
            assertThat(BronzeLogs.counts(c, FLINK.schema(), TABLES)).as("flink wrote nothing of the refused change")
                    .containsExactlyInAnyOrderEntriesOf(before);
        }
    }

    /** Predicates over streamed full_row, each naming a hostile value that some streamed row must hold. */
    private static final Map<TableId, List<String>> HOSTILE_VALUES = Map.of(
            HostileData.TEXT, List.of("strpos(full_row->>'t', chr(1)) > 0", "strpos(full_row::text, chr(128512)) > 0",
                    "strpos(full_row->>'v', E'\\\\') > 0"),
            HostileData.EDGE, List.of("full_row->>'n' = 'NaN'", "full_row->>'f8' = '-Infinity'",
                    "full_row->>'tm' = '24:00:00'", "full_row->>'d' = '-infinity'", "length(full_row->>'n') > 1000",
                    "full_row->>'ts' LIKE '294276-%'", "full_row->>'iv' = CASE WHEN current_setting('server_version_num')::int >= 170000"
                            + " THEN 'infinity' ELSE '178000000 years' END"),
            HostileData.NULLS, List.of("(SELECT count(*) FROM jsonb_each(full_row) e WHERE e.value <> 'null') = 1"),
            HostileData.KEYS, List.of("full_row->>'k' = 'e' || chr(769) || '#1'", "full_row->>'k' = chr(233) || '#0'"),
            HostileData.SHAPES, List.of("full_row->'moods'->>0 = 'a,\"b\"\\c}{'"),
            HostileData.WIDE, List.of("(SELECT count(*) FROM jsonb_object_keys(full_row)) = 1001"));

    private static List<String> hostileValuesMissing(Connection c, BronzeSchema schema) throws SQLException {
        List<String> missing = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            for (Map.Entry<TableId, List<String>> table : HOSTILE_VALUES.entrySet()) {
                for (String predicate : table.getValue()) {
                    if (single(s, "SELECT count(*) FROM " + schema.tableOf(table.getKey()) + " WHERE tx_id IS NOT NULL"
                            + " AND " + predicate) == 0) {
                        missing.add(table.getKey() + ": " + predicate);
                    }
                }
            }
        }
        return missing;
    }

    /** Streamed rows of h_toast whose {@code big} is null or not one of the values the source was given. */
    private static List<String> bigValuesNotWritten(Connection c, BronzeSchema schema) throws SQLException {
        String digests = data.bigDigests().stream().map(SqlNames::literal).collect(Collectors.joining(", "));
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT lsn, op, full_row->'id',"
                + " length(full_row->>'big') FROM " + schema.tableOf(HostileData.TOAST) + " WHERE tx_id IS NOT NULL"
                + " AND NOT coalesce(md5(full_row->>'big') = ANY (ARRAY[" + digests + "]), false) ORDER BY lsn")) {
            while (rs.next()) {
                rows.add("lsn " + rs.getLong(1) + " " + rs.getString(2) + " id " + rs.getString(3) + " big length "
                        + rs.getString(4));
            }
        }
        return rows;
    }

    private static List<String> schemaChanges(Connection c, BronzeSchema schema) throws SQLException {
        List<String> tags = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT command_tag FROM "
                + schema.tableEvents() + " WHERE source_table = 'h_ddl' AND kind = 'schema_change'"
                + " ORDER BY follows_lsn, commit_lsn, source_lsn")) {
            while (rs.next()) {
                tags.add(rs.getString(1));
            }
        }
        return tags;
    }

    private static long single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
