package io.bronzecdc.cli.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.source.SchemaChangeTrigger;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.testkit.pagila.PagilaGenerator;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGProperty;

/**
 * {@code init} on a Pagila source whose tables have the default replica identity: {@code --dry-run} prints the SQL and
 * changes nothing; the first run fixes everything (roots before partitions); a second run prints "nothing to change"
 * and changes nothing; a table added to the config is published on the next run, as is a publication that stopped
 * publishing through the partition root; {@code --create-role} makes a role that can replicate and read but not write
 * the source.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InitCommandIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final String ROLE = "cli_init_capture";
    private static final String ROLE_PASSWORD = "Role-Pw-9f3Kq!";

    @TempDir
    static Path dir;

    private static Path config;

    @BeforeAll
    static void pagilaWithDefaultIdentity() throws Exception {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            SourceSchema.create(c);
            PagilaLoader.loadGenerated(c, new PagilaGenerator(7, new PagilaGenerator.Counts(20, 60, 40)));
            try (ResultSet rs = c.createStatement().executeQuery("SELECT format('%I.%I', n.nspname, r.relname)"
                    + " FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace WHERE n.nspname = 'public'"
                    + " AND r.relkind IN ('r', 'p')")) {
                List<String> relations = new ArrayList<>();
                while (rs.next()) {
                    relations.add(rs.getString(1));
                }
                for (String relation : relations) {
                    s.execute("ALTER TABLE " + relation + " REPLICA IDENTITY DEFAULT");
                }
            }
        }
        config = new PipelineYaml(POSTGRES.server().port(), POSTGRES.database(), "cli_init").write(dir, "p.yaml");
    }

    @AfterAll
    static void dropRole() throws SQLException {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            s.execute("DROP OWNED BY " + ROLE);
        } catch (SQLException e) {
            // the role was never created (an earlier test failed)
        }
        try (Connection c = POSTGRES.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP ROLE IF EXISTS " + ROLE);
        }
    }

    @Test
    @Order(1)
    void dryRunPrintsTheSqlAndChangesNothing() throws Exception {
        List<String> before = snapshot();

        CliRun run = CliRun.of("init", "--config", config.toString(), "--dry-run");

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("CREATE PUBLICATION \"cli_init_pub\" FOR TABLE \"public\".\"customer\","
                        + " \"public\".\"payment\", \"public\".\"rental\" WITH (publish_via_partition_root = true);",
                "ALTER TABLE public.customer REPLICA IDENTITY FULL;", "CREATE SCHEMA \"cli_init_bronze\";",
                "-- migration V5 table events", "CREATE TABLE IF NOT EXISTS \"cli_init_bronze\".\"br_rental_cdc\"",
                "CREATE EVENT TRIGGER bronze_cdc_schema_changes",
                "init --dry-run: ", "statements not run; nothing was changed");
        assertThat(run.out().indexOf("ALTER TABLE public.payment REPLICA IDENTITY FULL"))
                .as("the root is altered before its partitions (the lock order of writers)")
                .isNotNegative().isLessThan(run.out().indexOf("ALTER TABLE public.payment_p2022_01 REPLICA"));
        assertThat(run.err()).contains("source.password=******").doesNotContain("not-a-real-secret");
        assertThat(snapshot()).as("--dry-run changes nothing").isEqualTo(before);
    }

    @Test
    @Order(2)
    void initFixesWhatIsMissing() throws Exception {
        CliRun run = CliRun.of("init", "--config", config.toString());

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("-- REPLICA IDENTITY is not FULL on public.customer, public.payment,"
                + " public.payment_p2022_01", "init: done, ");
        try (Connection c = POSTGRES.connect()) {
            assertThat(rows(c, "SELECT r.relname FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace"
                    + " WHERE n.nspname = 'public' AND r.relkind IN ('r', 'p') AND r.relreplident <> 'f'"))
                    .as("every table and partition has REPLICA IDENTITY FULL").isEmpty();
            assertThat(rows(c, "SELECT tablename FROM pg_publication_tables WHERE pubname = 'cli_init_pub'"
                    + " ORDER BY 1")).containsExactly("customer", "payment", "rental");
            assertThat(rows(c, "SELECT pubviaroot::text FROM pg_publication WHERE pubname = 'cli_init_pub'"))
                    .containsExactly("true");
            assertThat(SchemaChangeTrigger.installed(c)).isTrue();
            assertThat(rows(c, "SELECT version::text FROM cli_init_bronze.bronze_schema_history ORDER BY 1"))
                    .containsExactly("1", "2", "3", "4", "5", "6", "7", "8");
            assertThat(rows(c, "SELECT bronze_table FROM cli_init_bronze.bronze_tables ORDER BY 1"))
                    .containsExactly("br_customer_cdc", "br_payment_cdc", "br_rental_cdc");
            assertThat(rows(c, "SELECT slot_name FROM pg_replication_slots")).as("the slot is the engines' to create")
                    .isEmpty();
        }
    }

    @Test
    @Order(3)
    void aSecondInitChangesNothing() throws Exception {
        List<String> before = snapshot();

        CliRun run = CliRun.of("init", "--config", config.toString());
        CliRun dryRun = CliRun.of("init", "--config", config.toString(), "--dry-run");

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).startsWith("init: nothing to change (3 tables [public.customer, public.payment,"
                + " public.rental], publication cli_init_pub, bronze schema cli_init_bronze)");
        assertThat(dryRun.out()).as(dryRun.all()).startsWith("init: nothing to change");
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    @Order(4)
    void aTableAddedSinceAndAPublicationNotViaTheRootAreFixed() throws Exception {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE public.late_items (id int PRIMARY KEY, name text)");
            s.execute("ALTER PUBLICATION cli_init_pub SET (publish_via_partition_root = false)");
        }
        Path wider = new PipelineYaml(POSTGRES.server().port(), POSTGRES.database(), "cli_init")
                .tables("[customer, payment, rental, late_items]").write(dir, "wider.yaml");

        CliRun run = CliRun.of("init", "--config", wider.toString());

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("ALTER TABLE public.late_items REPLICA IDENTITY FULL;",
                "ALTER PUBLICATION \"cli_init_pub\" SET (publish_via_partition_root = true);",
                "ALTER PUBLICATION \"cli_init_pub\" ADD TABLE \"public\".\"late_items\";",
                "CREATE TABLE IF NOT EXISTS \"cli_init_bronze\".\"br_late_items_cdc\"");
        try (Connection c = POSTGRES.connect()) {
            assertThat(rows(c, "SELECT tablename FROM pg_publication_tables WHERE pubname = 'cli_init_pub'"
                    + " ORDER BY 1")).containsExactly("customer", "late_items", "payment", "rental");
            assertThat(rows(c, "SELECT pubviaroot::text FROM pg_publication WHERE pubname = 'cli_init_pub'"))
                    .containsExactly("true");
        }
        assertThat(CliRun.of("init", "--config", wider.toString()).out()).startsWith("init: nothing to change");
    }

    @Test
    @Order(5)
    void createRoleMakesALeastPrivilegeCaptureRole() throws Exception {
        Path passwordFile = Files.writeString(dir.resolve("role-password"), ROLE_PASSWORD + "\n");

        CliRun run = CliRun.of("init", "--config", config.toString(), "--create-role", ROLE,
                "--role-password-file", passwordFile.toString());

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("CREATE ROLE \"" + ROLE + "\" WITH LOGIN REPLICATION;",
                "ALTER ROLE \"" + ROLE + "\" PASSWORD '******'",
                "GRANT SELECT ON \"public\".\"customer\" TO \"" + ROLE + "\";",
                "GRANT USAGE ON SCHEMA \"public\" TO \"" + ROLE + "\";",
                "GRANT USAGE, CREATE ON SCHEMA \"cli_init_bronze\" TO \"" + ROLE + "\";",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA \"cli_init_bronze\" TO \"" + ROLE + "\";",
                "role " + ROLE + " is ready");
        assertThat(run.out() + run.err()).doesNotContain(ROLE_PASSWORD);
        try (Connection c = POSTGRES.connect()) {
            assertThat(rows(c, "SELECT (rolpassword LIKE 'SCRAM-SHA-256$%')::text FROM pg_authid WHERE rolname = '"
                    + ROLE + "'")).as("a SCRAM verifier, not the password").containsExactly("true");
        }
        try (Connection role = connectAs(ROLE, false); Statement s = role.createStatement()) {
            assertThat(rows(role, "SELECT count(*)::text FROM public.customer")).containsExactly("20");
            assertThat(rows(role, "SELECT count(*)::text FROM public.payment")).containsExactly("60");
            assertThatThrownBy(() -> s.execute("INSERT INTO public.customer (customer_id, store_id, first_name,"
                    + " last_name, address_id) VALUES (9999, 1, 'x', 'y', 1)"))
                    .hasMessageContaining("permission denied for table customer");
            assertThatThrownBy(() -> s.execute("DELETE FROM public.rental"))
                    .hasMessageContaining("permission denied for table rental");
            assertThatThrownBy(() -> s.execute("ALTER TABLE public.customer REPLICA IDENTITY DEFAULT"))
                    .hasMessageContaining("must be owner of table customer");
            s.execute("INSERT INTO cli_init_bronze.br_customer_cdc (lsn, op, full_row, source_lsn)"
                    + " VALUES (1, 'I', '{}', 0)");
            s.execute("DELETE FROM cli_init_bronze.br_customer_cdc");
            s.execute("SELECT pg_create_logical_replication_slot('cli_init_role_slot', 'pgoutput')");
            s.execute("SELECT pg_drop_replication_slot('cli_init_role_slot')");
        }
        try (Connection replication = connectAs(ROLE, true); Statement s = replication.createStatement();
                ResultSet rs = s.executeQuery("IDENTIFY_SYSTEM")) {
            assertThat(rs.next()).as("a replication connection as the role").isTrue();
        }
        List<String> before = snapshot();
        CliRun again = CliRun.of("init", "--config", config.toString(), "--create-role", ROLE,
                "--role-password-file", passwordFile.toString());
        assertThat(again.out()).as(again.all()).contains("note: role " + ROLE + " exists: its password is left as it is",
                "init: nothing to change");
        assertThat(snapshot()).isEqualTo(before);
    }

    private static Connection connectAs(String user, boolean replication) throws SQLException {
        Properties properties = new Properties();
        PGProperty.USER.set(properties, user);
        PGProperty.PASSWORD.set(properties, ROLE_PASSWORD);
        if (replication) {
            PGProperty.REPLICATION.set(properties, "database");
            PGProperty.ASSUME_MIN_SERVER_VERSION.set(properties, "10");
            PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
        }
        return DriverManager.getConnection(POSTGRES.jdbcUrl(), properties);
    }

    private static List<String> snapshot() throws SQLException {
        try (Connection c = POSTGRES.connect()) {
            return CatalogSnapshot.of(c);
        }
    }

    static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }
}
