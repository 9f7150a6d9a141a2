package io.bronzecdc.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.flink.preflight.FlinkColumnTypes;
import io.bronzecdc.flink.testing.PipelineUnderTest;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.SourceConnector;
import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.ColumnType;
import io.bronzecdc.model.testing.ColumnTypes;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.RandomTypedTables;
import io.bronzecdc.model.testing.TestPipelineYaml;
import io.bronzecdc.model.testing.TypedWorkload;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every type of the typed-table kit, through the Flink job: the preflight's decision ({@link FlinkColumnTypes})
 * splits the kit's types in two. Tables of the accepted types, with a seeded I/U/D workload, land in bronze with
 * every full_row equal to {@code to_jsonb} of the source row at that change (snapshot and stream) and replay
 * equal to the source; a table of each refused type stops the job at preflight (exit 2, one message per column,
 * nothing written). The seed prints; {@code -Dbronze.types.seed=N} replays one.
 */
class TypeFidelityIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    /**
     * Accepted, but outside the random proof: the kit's values of these reach before 1582-10-15 and to
     * infinity, which the deserializer refuses loudly (covered elsewhere); in-range values are covered by
     * NullsWithDefaultsIT and the Pagila ITs.
     */
    private static final Set<String> TEMPORAL_RANGE_LIMITED = Set.of("date", "timestamp", "timestamptz", "d_stamp");

    private static final Map<String, String> REFUSED = new LinkedHashMap<>();
    private static final List<String> ACCEPTED = new ArrayList<>();

    @TempDir
    Path dir;

    /** One single-column table per kit type, and the preflight's verdict on each. */
    @BeforeAll
    static void decideEveryKitType() throws Exception {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            List<ColumnType> types = ColumnTypes.available(c);
            for (String setup : new LinkedHashSet<>(types.stream().flatMap(t -> t.setup().stream()).toList())) {
                s.execute(setup);
            }
            for (ColumnType type : types) {
                TableId table = TableId.of("tp_" + type.label());
                s.execute("CREATE TABLE " + table.qualifiedName() + " (id bigint PRIMARY KEY, c " + type.sql() + ")");
                List<String> problems = FlinkColumnTypes.refusals(c, List.of(table));
                if (problems.isEmpty()) {
                    ACCEPTED.add(type.label());
                } else {
                    assertThat(problems).hasSize(1);
                    REFUSED.put(type.label(), problems.get(0));
                }
            }
        }
        System.out.println("Flink accepts " + ACCEPTED + "\nFlink refuses " + REFUSED.keySet());
    }

    /** The Flink CDC source: the types its preflight accepts. */
    @Test
    void shouldLandEveryAcceptedTypeExactlyAsToJsonb() throws Exception {
        landTypes("public", "it_types", BronzeSchema.DEFAULT_NAME, SourceConnector.FLINK_CDC,
                t -> ACCEPTED.contains(t.label())
                        && !TEMPORAL_RANGE_LIMITED.contains(t.label().replaceAll("_a[12]$", "")));
    }

    /** The pgoutput source (the default): every type of the kit, through the decoder the Spark engine uses. */
    @Test
    void shouldLandEveryKitTypeExactlyAsToJsonbWithThePgoutputSource() throws Exception {
        landTypes("all_types", "it_types_all", "cdc_all_types", SourceConnector.PGOUTPUT, t -> true);
    }

    private void landTypes(String sourceSchema, String slot, String bronzeSchema, SourceConnector connector,
            java.util.function.Predicate<ColumnType> types) throws Exception {
        long seed = Long.getLong("bronze.types.seed", 20261201L);
        RandomTypedTables tables;
        TypedWorkload workload;
        Map<TableId, List<String>> snapshot = new LinkedHashMap<>();
        try (Connection c = POSTGRES.connect(); Connection workloadConnection = POSTGRES.connect()) {
            tables = RandomTypedTables.create(c, sourceSchema, seed, 3, types);
            System.out.println("TypeFidelityIT " + connector + " " + tables.describe());
            workload = new TypedWorkload(workloadConnection, tables, seed).populate(4);
            for (TableId table : tables.ids()) {
                snapshot.put(table, new ArrayList<>(RandomTypedTables.sourceRows(c, table).values()));
            }
            runPipeline(seed, tables, workload, snapshot, PipelineUnderTest.config(POSTGRES.server(),
                    POSTGRES.database(), slot, bronzeSchema, Duration.ofMillis(200), tables.ids())
                    .withConnector(connector));
        }
    }

    private void runPipeline(long seed, RandomTypedTables tables, TypedWorkload workload,
            Map<TableId, List<String>> snapshot, PipelineConfig config) throws Exception {
        int snapshotChanges = workload.changes().size();
        try (PipelineUnderTest pipeline = PipelineUnderTest.start(POSTGRES.server(), config)) {
            pipeline.awaitBronzeCounts(counts(tables.ids(), snapshot.values().stream().map(List::size).toList()));
            workload.run(40);
            List<TypedWorkload.Change> streamed = workload.changes()
                    .subList(snapshotChanges, workload.changes().size());
            Map<TableId, Long> expected = new LinkedHashMap<>();
            for (TableId table : tables.ids()) {
                expected.put(table, snapshot.get(table).size()
                        + streamed.stream().filter(ch -> ch.table().equals(table)).count());
            }
            pipeline.awaitBronzeCounts(expected);
            try (Connection c = pipeline.connect()) {
                for (TableId table : tables.ids()) {
                    String bronze = pipeline.bronzeTable(table);
                    assertSameJson(c, "snapshot of " + table + ", seed " + seed,
                            column(c, "SELECT full_row::text FROM " + bronze + " WHERE tx_id IS NULL"
                                    + " ORDER BY (full_row->>'id')::bigint"), snapshot.get(table));
                    List<TypedWorkload.Change> changes = streamed.stream().filter(ch -> ch.table().equals(table))
                            .toList();
                    assertThat(column(c, "SELECT op FROM " + bronze + " WHERE tx_id IS NOT NULL ORDER BY lsn"))
                            .as("ops of %s, seed %d", table, seed)
                            .containsExactlyElementsOf(changes.stream().map(ch -> String.valueOf(ch.op().code()))
                                    .toList());
                    assertSameJson(c, "stream of " + table + ", seed " + seed, column(c, "SELECT full_row::text FROM "
                            + bronze + " WHERE tx_id IS NOT NULL ORDER BY lsn"),
                            changes.stream().map(TypedWorkload.Change::json).toList());
                }
                try (Statement s = c.createStatement()) {
                    s.execute("SET TimeZone = 'UTC'");
                }
                assertThat(BronzeValidator.validate(c, new BronzeSchema(config.bronze().schema()), tables.ids(),
                        ValidationOptions.defaults()).violations()).as("seed %d", seed).isEmpty();
            }
        }
        assertThat(workload.changes().stream().map(TypedWorkload.Change::op).distinct())
                .contains(Op.INSERT, Op.UPDATE, Op.DELETE);
    }

    @Test
    void shouldRefuseATableOfEachRefusedTypeAtPreflight() throws Exception {
        assertThat(REFUSED.keySet()).contains("money", "interval", "time", "timetz", "numeric", "varbit", "point",
                "complex", "item", "parcel", "d_amount", "d_intlist", "tstzrange", "int4_a1", "text_a2");
        String database = POSTGRES.database();
        Path password = dir.resolve("password");
        Files.writeString(password, "trust\n");
        String tables = REFUSED.keySet().stream().map(label -> "tp_" + label).collect(Collectors.joining(", "));
        String yaml = TestPipelineYaml.of(POSTGRES.server().port(), database, "it_refuse", "cdc_refused",
                "file: " + password).replace("tables: [customer, payment, rental]", "tables: [" + tables + "]")
                + "source.connector: flink-cdc\n";
        Path config = dir.resolve("pipeline.yaml");
        Files.writeString(config, yaml);
        StringWriter err = new StringWriter();
        int exit = BronzeCdcJob.commandLine().setErr(new PrintWriter(err)).execute("--config", config.toString());
        assertThat(exit).isEqualTo(BronzeCdcJob.EXIT_NOT_READY);
        String stderr = err.toString();
        for (String label : REFUSED.keySet()) {
            assertThat(stderr).contains("table public.tp_" + label + ", column c (");
        }
        assertThat(stderr).contains("the Flink engine cannot capture this type exactly",
                "capture this table with the Spark engine, change the column's type, or leave the table out of"
                        + " 'tables'", "(interval)", "(time with time zone)", "(money)").doesNotContain("\tat ");
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            assertThat(scalar(s, "SELECT count(*) FROM pg_namespace WHERE nspname = 'cdc_refused'")).isZero();
            assertThat(scalar(s, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'it_refuse'")).isZero();
        }
    }

    private static Map<TableId, Long> counts(List<TableId> tables, List<Integer> sizes) {
        Map<TableId, Long> counts = new LinkedHashMap<>();
        for (int i = 0; i < tables.size(); i++) {
            counts.put(tables.get(i), (long) sizes.get(i));
        }
        return counts;
    }

    /** Pairwise jsonb equality (the contract's comparison), reporting the first rows that differ. */
    private static void assertSameJson(Connection c, String what, List<String> actual, List<String> expected)
            throws SQLException {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        Array a = c.createArrayOf("text", actual.toArray());
        Array b = c.createArrayOf("text", expected.toArray());
        List<String> differences = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT i, x, y FROM unnest(?::text[], ?::text[])"
                + " WITH ORDINALITY AS u(x, y, i) WHERE x::jsonb IS DISTINCT FROM y::jsonb ORDER BY i LIMIT 5")) {
            ps.setArray(1, a);
            ps.setArray(2, b);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    differences.add("#" + rs.getLong(1) + "\n  bronze " + rs.getString(2) + "\n  source "
                            + rs.getString(3));
                }
            }
        }
        assertThat(differences).as(what).isEmpty();
    }

    private static List<String> column(Connection c, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }

    private static long scalar(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
