package io.bronzecdc.model.compact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.SchemaChangeTrigger;
import io.bronzecdc.model.testing.MixedDatabase;
import io.bronzecdc.model.testing.MixedWorkload;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.RandomTypedTables;
import io.bronzecdc.model.testing.SlotCapture;
import io.bronzecdc.model.testing.TypedWorkload;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code compact} on a database unlike Pagila (mixed-case, quoted and non-ASCII names, a keyless table with duplicate
 * rows, a partitioned table, a table of every type the server offers, two captured tables of one name), captured by
 * the shared path through a seeded workload, schema changes (ADD with a default, RENAME, DROP, TYPE) and a TRUNCATE:
 * the compacted tables and views must equal the source tables row for row ({@code to_jsonb}, as multisets), and
 * compaction must refuse targets it does not own without changing anything. Seed: {@code -Dbronze.compact.seed=N}.
 */
class CompactionIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final long SEED = Long.getLong("bronze.compact.seed", System.nanoTime());
    private static final BronzeSchema BRONZE = new BronzeSchema("cp_bronze");
    private static final TableId SECOND_ORDERS = new TableId("Sales Dept", "orders");
    private static final TableId ORDERS = new TableId("public", "orders");
    private static final TableId CITTA = new TableId("ünï", "città");

    private static String database;
    private static List<TableId> tables;

    @BeforeAll
    static void captureAMixedDatabase() throws SQLException {
        System.out.println("CompactionIT seed " + SEED + " (replay with -Dbronze.compact.seed=" + SEED + ")");
        database = POSTGRES.newDatabase("compact");
        try (Connection c = POSTGRES.connect(database); Connection work = POSTGRES.connect(database);
                Connection typedWork = POSTGRES.connect(database); Statement s = c.createStatement()) {
            s.execute(SchemaChangeTrigger.script());
            RandomTypedTables typed = RandomTypedTables.create(c, "public", SEED, 1, type -> true);
            System.out.println(typed.describe());
            MixedDatabase mixed = MixedDatabase.create(c).withTypedTables(typed);
            s.execute("CREATE TABLE \"Sales Dept\".orders (id int PRIMARY KEY, note text, qty int)");
            s.execute("ALTER TABLE \"Sales Dept\".orders REPLICA IDENTITY FULL");
            s.execute("INSERT INTO \"Sales Dept\".orders SELECT g, 'n' || g, g FROM generate_series(1, 20) g");
            tables = Stream.concat(mixed.captured().stream(), Stream.of(SECOND_ORDERS)).sorted().toList();
            MixedWorkload workload = new MixedWorkload(work, mixed, SEED).populate(15);
            TypedWorkload typedWorkload = new TypedWorkload(typedWork, typed, SEED).populate(15);

            SlotCapture capture = SlotCapture.start(c, BRONZE, tables, "cp_slot");
            workload.run(60);
            typedWorkload.run(15);
            s.execute("ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'emea'");
            s.execute("UPDATE \"Sales Dept\".orders SET qty = qty * 2 WHERE id % 2 = 0");
            s.execute("ALTER TABLE \"Sales Dept\".orders RENAME COLUMN note TO \"Note Text\"");
            s.execute("ALTER TABLE \"Sales Dept\".orders ADD COLUMN \"größe\" numeric DEFAULT 1.5");
            workload.run(20);
            s.execute("ALTER TABLE \"Sales Dept\".orders ALTER COLUMN qty TYPE bigint");
            s.execute("UPDATE \"Sales Dept\".orders SET id = id + 100 WHERE id % 3 = 0");
            s.execute("ALTER TABLE \"Sales Dept\".orders DROP COLUMN \"Note Text\"");
            s.execute("DELETE FROM \"Sales Dept\".orders WHERE id % 5 = 0");
            workload.run(20);
            // Last: the workload keeps track of the keys it wrote.
            s.execute("TRUNCATE \"Sales Dept\".\"order_2026\"");
            s.execute("INSERT INTO \"Sales Dept\".\"order_2026\" (id, \"Total €\", status) VALUES (1, 2.50, 'new')");
            capture.capture();

            ValidationReport report = BronzeValidator.validate(c, BRONZE, tables, ValidationOptions.defaults());
            assertThat(report.violations()).as("the captured bronze is valid (seed %d)\n%s", SEED, report.toText())
                    .isEmpty();
        }
    }

    @Test
    void shouldCompactEveryTableIntoTablesEqualToTheSource() throws SQLException {
        try (Connection c = POSTGRES.connect(database)) {
            List<Compaction.Result> results = new Compaction(c, c, BRONZE).compact(tables, "cp_current",
                    Compaction.Form.TABLES);

            assertThat(results).extracting(Compaction.Result::source).containsExactlyElementsOf(tables);
            assertEqualToSource(c, results);
            assertThat(results).filteredOn(r -> r.source().equals(CITTA)).singleElement()
                    .satisfies(r -> assertThat(r.relation()).isEqualTo("\"cp_current\".\"città\""));
            assertThat(results).allSatisfy(r -> assertThat(r.rows()).isEqualTo(count(c, r.source().quoted())));

            // Again, after more changes: the previous compaction is replaced, not added to.
            try (Statement s = c.createStatement()) {
                s.execute("DELETE FROM \"Sales Dept\".orders WHERE id = 1");
            }
            List<Compaction.Result> again = new Compaction(c, c, BRONZE).compact(tables, "cp_current",
                    Compaction.Form.TABLES);
            assertThat(again).filteredOn(r -> r.source().equals(SECOND_ORDERS)).singleElement()
                    .satisfies(r -> assertThat(r.rows()).as("not captured yet: bronze still has the row")
                            .isEqualTo(count(c, SECOND_ORDERS.quoted()) + 1));
        }
    }

    @Test
    void shouldCompactIntoViewsEqualToTheSource() throws SQLException {
        try (Connection c = POSTGRES.connect(database)) {
            List<Compaction.Result> results = new Compaction(c, c, BRONZE).compact(tables, "cp_views",
                    Compaction.Form.VIEWS);

            assertEqualToSource(c, results);
            assertThat(Compaction.relationNames(tables)).containsEntry(ORDERS, "orders")
                    .doesNotContainEntry(SECOND_ORDERS, "orders");
        }
    }

    @Test
    void shouldRefuseTargetsItDoesNotOwnAndChangeNothing() throws SQLException {
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
            Compaction compaction = new Compaction(c, c, BRONZE);
            assertThatThrownBy(() -> compaction.compact(tables, "public", Compaction.Form.TABLES))
                    .isInstanceOf(CompactionRefusedException.class)
                    .hasMessageContaining("a schema of captured source tables");
            assertThatThrownBy(() -> compaction.compact(tables, "cp_bronze", Compaction.Form.VIEWS))
                    .isInstanceOf(CompactionRefusedException.class).hasMessageContaining("the bronze schema");

            s.execute("CREATE SCHEMA cp_mine");
            s.execute("CREATE TABLE cp_mine.\"città\" (precious text)");
            s.execute("INSERT INTO cp_mine.\"città\" VALUES ('keep me')");
            assertThatThrownBy(() -> compaction.compact(tables, "cp_mine", Compaction.Form.TABLES))
                    .isInstanceOf(CompactionRefusedException.class)
                    .hasMessageContaining("\"cp_mine\".\"città\" exists and was not made by bronze-cdc compact");
            assertThat(count(c, "cp_mine.\"città\"")).isEqualTo(1);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_class WHERE relnamespace = 'cp_mine'::regnamespace")) {
                rs.next();
                assertThat(rs.getLong(1)).as("the refused compaction created nothing in cp_mine").isEqualTo(1);
            }
        }
    }

    /** Each compacted relation holds exactly the source table's rows: {@code to_jsonb} multisets, both ways. */
    private static void assertEqualToSource(Connection c, List<Compaction.Result> results) throws SQLException {
        List<String> differences = new ArrayList<>();
        long nonEmpty = 0;
        for (Compaction.Result result : results) {
            String source = result.source().quoted();
            long rows = count(c, source);
            nonEmpty += rows > 0 ? 1 : 0;
            String onlyCompacted = countOf(c, result, "(SELECT to_jsonb(x) FROM " + result.relation() + " x EXCEPT ALL"
                    + " SELECT to_jsonb(s) FROM " + source + " s) d") + "";
            String onlySource = countOf(c, result, "(SELECT to_jsonb(s) FROM " + source + " s EXCEPT ALL"
                    + " SELECT to_jsonb(x) FROM " + result.relation() + " x) d") + "";
            if (!onlyCompacted.equals("0") || !onlySource.equals("0")) {
                differences.add(result.source() + " -> " + result.relation() + ": " + onlyCompacted
                        + " rows only compacted, " + onlySource + " only in the source");
            }
        }
        assertThat(differences).as("seed %d", SEED).isEmpty();
        assertThat(nonEmpty).as("tables with rows").isGreaterThanOrEqualTo(results.size() - 2);
    }

    private static long countOf(Connection c, Compaction.Result result, String relation) throws SQLException {
        try {
            return count(c, relation);
        } catch (SQLException e) {
            throw new SQLException(result.source() + " -> " + result.relation() + ": " + e.getMessage(), e);
        }
    }

    private static long count(Connection c, String relation) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + relation)) {
            rs.next();
            return rs.getLong(1);
        }
    }

}
