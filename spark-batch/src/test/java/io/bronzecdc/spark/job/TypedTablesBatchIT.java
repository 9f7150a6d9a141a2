package io.bronzecdc.spark.job;

import io.bronzecdc.model.ExitCode;
import static io.bronzecdc.spark.testing.BatchPipeline.single;
import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.RandomTypedTables;
import io.bronzecdc.model.testing.TypedWorkload;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.spark.testing.BatchPipeline;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every type of the typed-table kit through the micro-batch job: a first run (snapshot), a seeded I/U/D workload,
 * a second run. The validator passes (replay equals source), every snapshot row is exactly {@code to_jsonb} of its
 * source row, and the streamed rows are exactly the {@code to_jsonb} the source had at each change, in order.
 * Seeded; a failure names its seed and tables.
 */
class TypedTablesBatchIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();
    @TempDir
    static Path configDir;

    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = BatchPipeline.localSession("TypedTablesBatchIT");
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    static List<Long> seeds() {
        return List.of(20_261_201L, System.nanoTime());
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void shouldCaptureEveryTypeExactlyAsToJsonbThroughSnapshotAndStream(long seed) throws Exception {
        try (Connection work = POSTGRES.connect()) {
            captureThroughTwoRuns(seed, work);
        }
    }

    private void captureThroughTwoRuns(long seed, Connection work) throws Exception {
        String name = "typed_" + Long.toUnsignedString(seed, 36);
        RandomTypedTables tables;
        TypedWorkload workload;
        BatchPipeline pipeline;
        try (Connection c = POSTGRES.connect()) {
            tables = RandomTypedTables.create(c, name + "_src", seed, 4, t -> true);
            workload = new TypedWorkload(work, tables, seed).populate(5);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE PUBLICATION " + name + "_pub FOR TABLE " + tables.tableList()
                        + " WITH (publish_via_partition_root = true)");
            }
            pipeline = BatchPipeline.configure(POSTGRES.server(), POSTGRES.database(), name, name + "_bronze",
                    configDir, tables.ids());
        }
        String context = tables.describe();
        int snapshotChanges = workload.changes().size();

        assertThat(pipeline.run()).as("first run, " + context).isEqualTo(ExitCode.SUCCESS.code());
        try (Connection c = POSTGRES.connect()) {
            for (TableId table : tables.ids()) {
                SortedMap<Long, String> source = RandomTypedTables.sourceRows(c, table);
                assertThat(bronzeRows(c, pipeline, table, 0)).as("seed %d: snapshot of %s", seed, table)
                        .containsExactlyElementsOf(source.values().stream().map(json -> "I " + json).toList());
            }
        }

        workload.run(60);
        assertThat(pipeline.run()).as("second run, " + context).isEqualTo(ExitCode.SUCCESS.code());

        try (Connection c = POSTGRES.connect()) {
            ValidationReport report = BronzeValidator.validate(c, pipeline.schema(), tables.ids(),
                    ValidationOptions.defaults().withSlot(name));
            assertThat(report.violations()).as("seed " + seed + ": " + report.toText() + "\n" + context).isEmpty();
            List<TypedWorkload.Change> streamed = workload.changes().subList(snapshotChanges, workload.changes().size());
            for (TableId table : tables.ids()) {
                long snapshotRows = single(c,
                        "SELECT count(*) FROM " + pipeline.schema().tableOf(table) + " WHERE tx_id IS NULL");
                List<String> expected = streamed.stream().filter(w -> w.table().equals(table))
                        .map(w -> w.op().code() + " " + w.json()).toList();
                assertThat(bronzeRows(c, pipeline, table, snapshotRows))
                        .as("seed %d: streamed rows of %s in commit order\n%s", seed, table, context)
                        .containsExactlyElementsOf(expected);
            }
        }
    }

    /** {@code op full_row} of the bronze rows after {@code afterLsn}, in lsn order (full_row as jsonb text). */
    private static List<String> bronzeRows(Connection c, BatchPipeline pipeline, TableId table, long afterLsn)
            throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT op, full_row::text FROM "
                + pipeline.schema().tableOf(table) + " WHERE lsn > " + afterLsn + " ORDER BY lsn")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2));
            }
        }
        return rows;
    }
}
