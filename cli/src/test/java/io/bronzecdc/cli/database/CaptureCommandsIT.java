package io.bronzecdc.cli.database;

import static io.bronzecdc.cli.database.InitCommandIT.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.SlotCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

/**
 * {@code validate}, {@code status}, {@code compact} and {@code drop} on a bronze schema filled by a real capture (the
 * shared decoder through {@link SlotCapture}, no engine) of a keyed and a keyless table after a seeded workload of
 * inserts, updates and deletes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CaptureCommandsIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final long SEED = Long.getLong("bronze.cli.seed", System.nanoTime());
    private static final String SLOT = "cli_cap";
    private static final BronzeSchema BRONZE = new BronzeSchema("cli_cap_bronze");

    @TempDir
    static Path dir;

    private static Path config;

    @BeforeAll
    static void captureAWorkload() throws Exception {
        System.out.println("CaptureCommandsIT seed " + SEED + " (replay with -Dbronze.cli.seed=" + SEED + ")");
        Random random = new Random(SEED);
        try (Connection c = POSTGRES.connect(); Connection work = POSTGRES.connect();
                Statement s = c.createStatement(); Statement w = work.createStatement()) {
            s.execute("CREATE TABLE items (id int PRIMARY KEY, name text, qty int, tags text[])");
            s.execute("CREATE TABLE notes (body text, n int)");
            s.execute("ALTER TABLE items REPLICA IDENTITY FULL");
            s.execute("ALTER TABLE notes REPLICA IDENTITY FULL");
            s.execute("INSERT INTO items SELECT g, 'item ' || g, g * 10, ARRAY['a', 'b'] FROM generate_series(1, 30) g");
            s.execute("INSERT INTO notes SELECT 'note ' || (g % 5), g % 3 FROM generate_series(1, 20) g");
            SlotCapture capture = SlotCapture.start(c, BRONZE, List.of(TableId.of("items"), TableId.of("notes")), SLOT);
            for (int i = 0; i < 60; i++) {
                int id = 1 + random.nextInt(45);
                switch (random.nextInt(4)) {
                    case 0 -> w.execute("INSERT INTO items VALUES (" + id + ", 'new " + i + "', " + i
                            + ", NULL) ON CONFLICT (id) DO UPDATE SET qty = items.qty + 1");
                    case 1 -> w.execute("UPDATE items SET name = 'renamed " + i + "', tags = ARRAY['x'] WHERE id = "
                            + id);
                    case 2 -> w.execute("DELETE FROM items WHERE id = " + id);
                    default -> w.execute("INSERT INTO notes VALUES ('note " + random.nextInt(5) + "', "
                            + random.nextInt(3) + ")");
                }
            }
            w.execute("DELETE FROM notes WHERE ctid = (SELECT min(ctid) FROM notes WHERE body = 'note 1')");
            capture.capture();
        }
        config = new PipelineYaml(POSTGRES.server().port(), POSTGRES.database(), SLOT).schema(BRONZE.name())
                .tables("[items, notes]").write(dir, "p.yaml");
    }

    @Test
    @Order(1)
    void validatePassesOnACorrectCapture() throws Exception {
        Path json = dir.resolve("report.json");

        CliRun run = CliRun.of("validate", "--config", config.toString(), "--json", json.toString());

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("bronze-cdc validation of schema cli_cap_bronze", "items", "notes",
                "slot cli_cap (inactive) retains", "checks: PASSED", "JSON report: " + json.toAbsolutePath());
        assertThat(Files.readString(json)).contains("\"schema\":\"cli_cap_bronze\"", "\"passed\":true",
                "\"table\":\"items\"");
        CliRun jsonOnly = CliRun.of("validate", "--config", config.toString(), "--json", "-");
        assertThat(jsonOnly.out()).as(jsonOnly.all()).startsWith("{\"schema\":\"cli_cap_bronze\"")
                .contains("\"passed\":true");
    }

    @Test
    @Order(2)
    void statusPrintsTheFiguresAndAlertsPastTheThreshold() throws Exception {
        long itemRows = Long.parseLong(query("SELECT count(*) FROM cli_cap_bronze.br_items_cdc")
                .get(0));

        CliRun run = CliRun.of("status", "--config", config.toString());

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("pipeline slot cli_cap -> bronze schema cli_cap_bronze (database "
                + POSTGRES.database() + ")", "lag threshold 10m", "slot cli_cap: inactive (no process reads it),"
                + " retains ", "engine: nothing recorded in bronze yet").doesNotContain("ALERT");
        assertThat(run.out()).containsPattern("public\\.items\\s+" + itemRows + "\\s+" + itemRows + "\\s+20\\d\\d-");

        Path strict = new PipelineYaml(POSTGRES.server().port(), POSTGRES.database(), SLOT).schema(BRONZE.name())
                .tables("[items, notes]").lagThreshold("1ms").write(dir, "strict.yaml");
        AtomicReference<CliRun> alert = new AtomicReference<>();
        Awaitility.await("status exits 5 once the lag passes 1ms").atMost(Duration.ofSeconds(30))
                .until(() -> {
                    alert.set(CliRun.of("status", "--config", strict.toString()));
                    return alert.get().exitCode() == 5;
                });
        assertThat(alert.get().out()).containsPattern("ALERT: lag of public\\.items is \\d+\\.\\ds, above lag.threshold 1ms"
                + " \\(last change in cli_cap_bronze\\.br_items_cdc at 20");

        CliRun watch = CliRun.of("status", "--config", config.toString(), "--watch", "100ms", "--reports", "2");
        assertThat(watch.exitCode()).as(watch.all()).isZero();
        assertThat(watch.out().split("pipeline slot cli_cap ", -1)).hasSize(3);
    }

    @Test
    @Order(3)
    void compactEqualsTheSource() throws Exception {
        CliRun tables = CliRun.of("compact", "--config", config.toString());
        CliRun views = CliRun.of("compact", "--config", config.toString(), "--into", "cli_cap_views", "--views");

        assertThat(tables.exitCode()).as(tables.all()).isZero();
        assertThat(tables.out()).contains("public.items -> \"cli_cap_bronze_current\".\"items\": ",
                "compact: 2 tables in schema cli_cap_bronze_current");
        assertThat(views.exitCode()).as(views.all()).isZero();
        assertThat(views.out()).contains("public.notes -> \"cli_cap_views\".\"notes\" (view)");
        try (Connection c = POSTGRES.connect()) {
            for (String target : List.of("cli_cap_bronze_current", "cli_cap_views")) {
                for (String table : List.of("items", "notes")) {
                    String source = "SELECT to_jsonb(t) FROM public." + table + " t";
                    String compacted = "SELECT to_jsonb(t) FROM " + target + "." + table + " t";
                    assertThat(rows(c, source + " EXCEPT ALL " + compacted)).as(table + " rows missing in " + target)
                            .isEmpty();
                    assertThat(rows(c, compacted + " EXCEPT ALL " + source)).as(table + " extra rows in " + target)
                            .isEmpty();
                    assertThat(rows(c, "SELECT count(*)::text FROM " + target + "." + table))
                            .isEqualTo(rows(c, "SELECT count(*)::text FROM public." + table));
                }
            }
        }
    }

    @Test
    @Order(4)
    void validateFailsWithExitFourOnACorruptedRow() throws Exception {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            s.execute("UPDATE cli_cap_bronze.br_items_cdc SET full_row = '\"oops\"' WHERE lsn = 3");
        }

        CliRun run = CliRun.of("validate", "--config", config.toString());

        assertThat(run.exitCode()).as(run.all()).isEqualTo(4);
        assertThat(run.out()).contains("checks: FAILED", "payload_object");
    }

    @Test
    @Order(5)
    void dropRefusesAnActiveSlotThenDropsEverything() throws Exception {
        try (Connection replication = replicationConnection();
                PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI()
                        .replicationStream().logical().withSlotName(SLOT).withSlotOption("proto_version", "1")
                        .withSlotOption("publication_names", SLOT + "_pub").start()) {
            Awaitility.await("slot active").atMost(Duration.ofSeconds(30)).until(() -> "true".equals(
                    query("SELECT active::text FROM pg_replication_slots WHERE slot_name = '"
                            + SLOT + "'").get(0)));
            CliRun refused = CliRun.of("drop", "--config", config.toString(), "--yes", "--bronze");
            assertThat(refused.exitCode()).as(refused.all()).isEqualTo(3);
            assertThat(refused.err()).contains("replication slot cli_cap is in use by process ",
                    "stop that pipeline first", "nothing was dropped").doesNotContain("\tat ");
        }
        Awaitility.await("slot released").atMost(Duration.ofSeconds(30)).until(() -> "false".equals(
                query("SELECT active::text FROM pg_replication_slots WHERE slot_name = '" + SLOT
                        + "'").get(0)));
        CliRun withoutYes = CliRun.of("drop", "--config", config.toString(), "--bronze");
        assertThat(withoutYes.exitCode()).isEqualTo(2);
        assertThat(withoutYes.err()).contains("drop needs --yes; it would run:",
                "SELECT pg_drop_replication_slot('cli_cap');", "DROP PUBLICATION \"cli_cap_pub\";",
                "DROP SCHEMA \"cli_cap_bronze\" CASCADE;", "nothing was dropped");

        CliRun run = CliRun.of("drop", "--config", config.toString(), "--yes", "--bronze");

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("drop: done");
        try (Connection c = POSTGRES.connect()) {
            assertThat(rows(c, "SELECT slot_name FROM pg_replication_slots WHERE slot_name = 'cli_cap'")).isEmpty();
            assertThat(rows(c, "SELECT pubname FROM pg_publication")).isEmpty();
            assertThat(rows(c, "SELECT nspname FROM pg_namespace WHERE nspname = 'cli_cap_bronze'")).isEmpty();
        }
        assertThat(CliRun.of("drop", "--config", config.toString(), "--yes", "--bronze").out())
                .startsWith("drop: nothing to drop");
    }

    private static List<String> query(String sql) throws SQLException {
        try (Connection c = POSTGRES.connect()) {
            return rows(c, sql);
        }
    }

    private static Connection replicationConnection() throws SQLException {
        Properties properties = new Properties();
        PGProperty.USER.set(properties, "postgres");
        PGProperty.PASSWORD.set(properties, "");
        PGProperty.REPLICATION.set(properties, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(properties, "10");
        PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
        return java.sql.DriverManager.getConnection(POSTGRES.jdbcUrl(), properties);
    }
}
