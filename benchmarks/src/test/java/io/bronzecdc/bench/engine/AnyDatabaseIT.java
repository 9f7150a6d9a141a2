package io.bronzecdc.bench.engine;

import io.bronzecdc.cli.engine.EngineProcess;
import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.bench.engine.BronzeLogs.Difference;
import io.bronzecdc.bench.engine.EnginePair.Pipeline;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SqlNames;
import io.bronzecdc.model.testing.MixedDatabase;
import io.bronzecdc.model.testing.MixedWorkload;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.RandomTypedTables;
import io.bronzecdc.model.testing.TypedWorkload;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The "any database" acceptance: a database unlike Pagila ({@link MixedDatabase}: three schemas, quoted, mixed-case
 * and non-ASCII names, a name too long for {@code br_<name>_cdc}, a keyless table with duplicate rows, a composite and
 * a changing key, a partitioned table) plus a table of every type both engines carry, selected by {@code include} and
 * {@code exclude} patterns, captured by the Flink job and by Spark runs, each in its own JVM, into two bronze schemas.
 * The patterns select exactly the intended tables (each bronze schema's {@code bronze_tables}); both snapshots and
 * both streams land exactly the rows the seeded workload must give; both bronze schemas pass every validator with
 * replay equal to the source; the engines' streamed rows are identical.
 *
 * <p>Both engines capture every selected table: the Flink job reads the slot with its native pgoutput source
 * ({@code source.connector: pgoutput}, the default) and decodes with the decoder the Spark engine uses, so keyless
 * tables, any identifier and every type are captured alike.
 *
 * <p>The seed prints at start and in every failure; {@code -Dbronze.any.seed=N} replays one. Engine output goes to
 * {@code target/any-database-it/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnyDatabaseIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final long SEED = Long.getLong("bronze.any.seed", 20_261_202L);
    private static final int ROWS_PER_TABLE = 6;
    private static final int WORKLOAD_TRANSACTIONS = 80;
    private static final Pipeline FLINK = new Pipeline("flink", "flink_any", new BronzeSchema("any_bronze_flink"));
    private static final Pipeline SPARK = new Pipeline("spark", "spark_any", new BronzeSchema("any_bronze_spark"));
    private static final Duration SNAPSHOT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STREAM_TIMEOUT = Duration.ofSeconds(60);

    private static EnginePair engines;
    private static EngineProcess flink;
    private static MixedDatabase database;
    private static List<TableId> flinkTables;
    private static MixedWorkload workload;
    private static TypedWorkload typedWorkload;
    private static Connection workloadConnection;
    private static Connection typedConnection;
    private static String context;
    private static boolean snapshotsLanded;
    private static boolean changesLanded;

    @BeforeAll
    static void createDatabaseAndStartFlink(TestInfo test) throws Exception {
        Class<?> testClass = test.getTestClass().orElseThrow();
        System.out.println(testClass.getSimpleName() + " seed " + SEED + " (replay with -Dbronze.any.seed=" + SEED
                + ")");
        engines = new EnginePair(POSTGRES, "target/" + testClass.getSimpleName(), FLINK, SPARK);
        if (testClass != AnyDatabaseIT.class) {
            // AnyDatabaseTargetIT: bronze in a database of its own (target:), the validators reading both.
            engines.bronzeIn(POSTGRES.newDatabase("bronze"));
        }
        workloadConnection = POSTGRES.connect();
        typedConnection = POSTGRES.connect();
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            RandomTypedTables typed = RandomTypedTables.create(c, "public", SEED, 1, type -> true);
            database = MixedDatabase.create(c).withTypedTables(typed);
            context = "seed " + SEED + "; captured " + database.captured() + "\n" + typed.describe()
                    + "\n(replay with -Dbronze.any.seed=" + SEED + ")";
            engines.context(context);
            System.out.println(context);
            workload = new MixedWorkload(workloadConnection, database, SEED).populate(ROWS_PER_TABLE);
            typedWorkload = new TypedWorkload(typedConnection, typed, SEED).populate(ROWS_PER_TABLE);
            // The Flink job creates its publication itself (--init); the Spark job expects one.
            s.execute("CREATE PUBLICATION " + SPARK.slot() + "_pub FOR TABLE " + database.publicationTableList()
                    + " WITH (publish_via_partition_root = true)");
        }
        flinkTables = database.captured();
        engines.writeConfigs(yaml -> yaml.replace("tables: [customer, payment, rental]\n", MixedDatabase.tablesYaml()));
        flink = engines.startFlink();
    }

    @AfterAll
    static void stopFlink() throws Exception {
        for (Connection c : new Connection[] {workloadConnection, typedConnection}) {
            if (c != null) {
                c.close();
            }
        }
        if (flink != null) {
            boolean gone = flink.stop(EngineProcess.DEFAULT_GRACE);
            assertThat(gone).as("%s gone after stop", flink).isTrue();
        }
    }

    @Test
    @Order(1)
    void shouldCaptureExactlyTheSelectedTablesWithTheirSnapshots() throws Exception {
        try (EngineProcess run = engines.startSpark("spark-run-1")) {
            engines.awaitSuccess(run);
        }
        Map<TableId, Long> snapshot = expectedRows(database.captured());
        engines.awaitFlinkBronze(expectedRows(flinkTables), SNAPSHOT_TIMEOUT, "the snapshot");

        try (Connection c = engines.connectBronze()) {
            for (Pipeline pipeline : List.of(FLINK, SPARK)) {
                List<TableId> tables = tablesOf(pipeline);
                assertThat(mappedSources(c, pipeline.schema())).as("bronze_tables of %s: the tables include minus"
                        + " exclude selects; %s", pipeline.schema(), context)
                        .containsExactlyElementsOf(new TreeSet<>(tables));
                assertThat(BronzeLogs.snapshotCounts(c, pipeline.schema(), tables))
                        .as("snapshot rows (tx_id null) in %s, %s", pipeline.schema(), context)
                        .containsExactlyInAnyOrderEntriesOf(expectedRows(tables));
            }
            assertThat(snapshot.values().stream().mapToLong(Long::longValue).sum()).as("snapshot rows").isPositive();
            for (TableId table : flinkTables) {
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
    void shouldStreamIdenticalChangesWithBothEngines() throws Exception {
        assertThat(snapshotsLanded).as("both snapshots landed (previous test)").isTrue();
        workload.run(WORKLOAD_TRANSACTIONS);
        typedWorkload.run(WORKLOAD_TRANSACTIONS / 4);
        System.out.printf("workload: %d transactions committed, %d rolled back%n",
                workload.committedTransactions(), workload.rolledBack());
        try (EngineProcess run = engines.startSpark("spark-run-2")) {
            engines.awaitFlinkBronze(expectedRows(flinkTables), STREAM_TIMEOUT,
                    "the snapshot plus the workload's changes");
            engines.awaitSuccess(run);
        }

        try (Connection c = engines.connectBronze()) {
            for (Pipeline pipeline : List.of(FLINK, SPARK)) {
                List<TableId> tables = tablesOf(pipeline);
                assertThat(BronzeLogs.counts(c, pipeline.schema(), tables)).as("rows in %s, %s",
                        pipeline.schema(), context).containsExactlyInAnyOrderEntriesOf(expectedRows(tables));
            }
            for (TableId table : flinkTables) {
                engines.assertSameStream(c, table);
            }
        }
        changesLanded = true;
    }

    @Test
    @Order(3)
    void shouldPassEveryValidatorOnBothBronzeSchemas() throws Exception {
        assertThat(changesLanded).as("both engines captured the workload (previous test)").isTrue();
        try (Connection c = POSTGRES.connect()) {
            for (Pipeline pipeline : List.of(FLINK, SPARK)) {
                engines.assertValid(c, pipeline, tablesOf(pipeline));
            }
        }
        assertThat(flink.isAlive()).as("flink still streaming after the checks; output:%n%s",
                flink.tail(EnginePair.TAIL_LINES)).isTrue();
    }

    /** The tables {@code pipeline} captures. */
    private static List<TableId> tablesOf(Pipeline pipeline) {
        return pipeline == FLINK ? flinkTables : database.captured();
    }

    /** What a bronze schema must hold now for {@code tables}: the mixed workload's count and the typed workload's. */
    private static Map<TableId, Long> expectedRows(List<TableId> tables) {
        Map<TableId, Long> all = new LinkedHashMap<>(workload.bronzeRows());
        typedWorkload.changes().forEach(change -> all.merge(change.table(), 1L, Long::sum));
        Map<TableId, Long> expected = new LinkedHashMap<>();
        tables.forEach(table -> expected.put(table, all.getOrDefault(table, 0L)));
        return expected;
    }

    /** The source tables {@code bronze_tables} maps to a log in {@code schema}. */
    private static Set<TableId> mappedSources(Connection c, BronzeSchema schema) throws SQLException {
        Set<TableId> sources = new TreeSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT source_schema, source_table FROM " + SqlNames.quote(schema.name()) + ".bronze_tables")) {
            while (rs.next()) {
                sources.add(new TableId(rs.getString(1), rs.getString(2)));
            }
        }
        return sources;
    }
}
