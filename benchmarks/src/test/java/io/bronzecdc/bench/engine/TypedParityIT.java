package io.bronzecdc.bench.engine;

import io.bronzecdc.cli.engine.EngineProcess;
import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.bench.engine.BronzeLogs.Difference;
import io.bronzecdc.bench.engine.BronzeLogs.StreamedRow;
import io.bronzecdc.bench.engine.EnginePair.Pipeline;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.RandomTypedTables;
import io.bronzecdc.model.testing.TypedWorkload;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Parity over the column types both engines accept: seeded random tables of the typed-table kit's types that the
 * Flink preflight (see {@link FlinkAcceptedTypes}) accepts, a few rows each, then a seeded I/U/D workload, captured by
 * the Flink job and the Spark job, each in a JVM of its own, into two bronze schemas. Both pass validation (replay
 * equals source); each engine's streamed full_row equals the {@code to_jsonb} the workload recorded for that
 * change, in order; the two engines' streamed rows agree in every column but load_ts; their snapshots are equal as
 * multisets and equal to the source.
 *
 * <p>The seed prints at start and in every failure; {@code -Dbronze.types.seed=N} replays one. Engine output goes
 * to {@code target/typed-parity-it/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TypedParityIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final long SEED = Long.getLong("bronze.types.seed", 20_261_201L);
    private static final int TABLES = 4;
    private static final int ROWS_PER_TABLE = 4;
    private static final int WORKLOAD_TRANSACTIONS = 40;
    private static final Pipeline FLINK = new Pipeline("flink", "flink_typed", new BronzeSchema("typed_bronze_flink"));
    private static final Pipeline SPARK = new Pipeline("spark", "spark_typed", new BronzeSchema("typed_bronze_spark"));
    private static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STREAM_TIMEOUT = Duration.ofSeconds(45);

    private static EnginePair engines;
    private static EngineProcess flink;
    private static RandomTypedTables tables;
    private static TypedWorkload workload;
    private static Connection workloadConnection;
    private static String context;
    private static Map<TableId, Long> snapshot;
    private static boolean snapshotsLanded;
    private static boolean changesLanded;

    @BeforeAll
    static void createTablesAndStartFlink() throws Exception {
        System.out.println("TypedParityIT seed " + SEED + " (replay with -Dbronze.types.seed=" + SEED + ")");
        engines = new EnginePair(POSTGRES, "target/typed-parity-it", FLINK, SPARK);
        workloadConnection = POSTGRES.connect();
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            Set<String> accepted = FlinkAcceptedTypes.of(c);
            tables = RandomTypedTables.create(c, "public", SEED, TABLES, t -> FlinkAcceptedTypes.inParity(accepted, t));
            context = tables.describe() + "\n(replay with -Dbronze.types.seed=" + SEED + ")";
            engines.context(context);
            System.out.println(context);
            workload = new TypedWorkload(workloadConnection, tables, SEED).populate(ROWS_PER_TABLE);
            snapshot = new LinkedHashMap<>();
            tables.ids().forEach(table -> snapshot.put(table, (long) ROWS_PER_TABLE));
            // The Flink job creates its publication itself (--init); the Spark job expects one.
            s.execute("CREATE PUBLICATION " + SPARK.slot() + "_pub FOR TABLE " + tables.tableList()
                    + " WITH (publish_via_partition_root = true)");
        }
        String names = String.join(", ", tables.ids().stream().map(TableId::name).toList());
        engines.writeConfigs(yaml -> yaml.replace("tables: [customer, payment, rental]", "tables: [" + names + "]"));
        flink = engines.startFlink();
    }

    @AfterAll
    static void stopFlink() throws Exception {
        if (workloadConnection != null) {
            workloadConnection.close();
        }
        if (flink != null) {
            boolean gone = flink.stop(EngineProcess.DEFAULT_GRACE);
            assertThat(gone).as("%s gone after stop", flink).isTrue();
        }
    }

    @Test
    @Order(1)
    void shouldLandTheSameTypedSnapshotWithBothEngines() throws Exception {
        try (EngineProcess run = engines.startSpark("spark-run-1")) {
            engines.awaitSuccess(run);
        }
        engines.awaitFlinkBronze(snapshot, SNAPSHOT_TIMEOUT, "the snapshot");

        try (Connection c = POSTGRES.connect()) {
            for (Pipeline pipeline : List.of(FLINK, SPARK)) {
                assertThat(BronzeLogs.snapshotCounts(c, pipeline.schema(), tables.ids()))
                        .as("snapshot rows (tx_id null) in %s, %s", pipeline.schema(), context)
                        .containsExactlyInAnyOrderEntriesOf(snapshot);
                for (TableId table : tables.ids()) {
                    assertThat(snapshotOutsideSource(c, pipeline.schema(), table))
                            .as("%s snapshot rows of %s that are not to_jsonb of a source row, %s", pipeline.engine(),
                                    table, context).isEmpty();
                }
            }
            for (TableId table : tables.ids()) {
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
    void shouldStreamTheSameTypedChangesAsTheWorkloadRecorded() throws Exception {
        assertThat(snapshotsLanded).as("both snapshots landed (previous test)").isTrue();
        int snapshotChanges = workload.changes().size();
        workload.run(WORKLOAD_TRANSACTIONS);
        List<TypedWorkload.Change> streamed = workload.changes().subList(snapshotChanges, workload.changes().size());
        System.out.printf("workload: %d changes in %d transactions%n", streamed.size(), workload.xids().size() - 1);
        Map<TableId, Long> expected = new LinkedHashMap<>(snapshot);
        streamed.forEach(change -> expected.merge(change.table(), 1L, Long::sum));

        try (EngineProcess run = engines.startSpark("spark-run-2")) {
            engines.awaitFlinkBronze(expected, STREAM_TIMEOUT, "the snapshot plus the workload's changes");
            engines.awaitSuccess(run);
        }

        try (Connection c = POSTGRES.connect()) {
            for (Pipeline pipeline : List.of(FLINK, SPARK)) {
                assertThat(BronzeLogs.counts(c, pipeline.schema(), tables.ids())).as("rows in %s, %s",
                        pipeline.schema(), context).containsExactlyInAnyOrderEntriesOf(expected);
            }
            for (TableId table : tables.ids()) {
                List<String> history = streamed.stream().filter(change -> change.table().equals(table))
                        .map(change -> change.op().code() + " tx " + change.xid() + " " + change.json()).toList();
                List<StreamedRow> flinkRows = BronzeLogs.streamed(c, FLINK.schema(), table);
                List<StreamedRow> sparkRows = BronzeLogs.streamed(c, SPARK.schema(), table);
                for (Pipeline pipeline : List.of(FLINK, SPARK)) {
                    List<StreamedRow> rows = pipeline == FLINK ? flinkRows : sparkRows;
                    assertThat(rows.stream().map(row -> row.op() + " tx " + row.txId() + " " + row.fullRow()).toList())
                            .as("%s: streamed op, tx_id and full_row of %s against the workload's to_jsonb, in order;"
                                    + " %s", pipeline.engine(), table, context)
                            .containsExactlyElementsOf(history);
                }
                assertThat(BronzeLogs.firstDifference(table, FLINK.engine(), flinkRows, SPARK.engine(), sparkRows))
                        .as("streamed changes of %s: flink and spark must agree in every column but load_ts; %s",
                                table, context).isEmpty();
            }
        }
        changesLanded = true;
    }

    @Test
    @Order(3)
    void shouldPassValidationOnBothBronzeSchemas() throws Exception {
        assertThat(changesLanded).as("both engines captured the workload (previous test)").isTrue();
        try (Connection c = POSTGRES.connect()) {
            for (Pipeline pipeline : List.of(FLINK, SPARK)) {
                engines.assertValid(c, pipeline, tables.ids());
            }
        }
        assertThat(flink.isAlive()).as("flink still streaming after the checks; output:%n%s", flink.tail(EnginePair.TAIL_LINES))
                .isTrue();
    }

    /** Snapshot rows of {@code table} in {@code schema} that are not {@code to_jsonb} of a source row (multiset). */
    private static List<String> snapshotOutsideSource(Connection c, BronzeSchema schema, TableId table)
            throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
            try (ResultSet rs = s.executeQuery("SELECT full_row::text FROM (SELECT full_row FROM "
                    + schema.tableOf(table) + " WHERE tx_id IS NULL EXCEPT ALL SELECT to_jsonb(t) FROM " + table.qualifiedName() + " t) d"
                    + " LIMIT 3")) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
        }
        return rows;
    }

    }
