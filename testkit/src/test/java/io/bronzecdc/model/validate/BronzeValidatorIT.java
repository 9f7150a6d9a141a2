package io.bronzecdc.model.validate;

import static io.bronzecdc.testkit.pagila.ReferenceCapture.Change.delete;
import static io.bronzecdc.testkit.pagila.ReferenceCapture.Change.insert;
import static io.bronzecdc.testkit.pagila.ReferenceCapture.Change.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.SourceCatalog;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.testkit.pagila.PagilaGenerator;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.PagilaTable;
import io.bronzecdc.testkit.pagila.ReferenceCapture;
import io.bronzecdc.testkit.pagila.SourceSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every validator passes on a correct bronze log and fails, naming table and check, on a log seeded with its
 * violation. Each test gets its own database with a small generated Pagila source, a snapshot and three
 * streamed transactions:
 *
 * <pre>
 * customer: lsn 1..30 snapshot, 31 U (tx1), 32 I and 33 U (tx2)
 * payment:  lsn 1..40 snapshot, 41 I (tx1), 42 U (tx2)
 * rental:   lsn 1..35 snapshot, 36 D (tx1), 37 U (tx3)
 * </pre>
 */
class BronzeValidatorIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static final BronzeSchema BRONZE = new BronzeSchema("cdc_bronze");
    private static final List<TableId> TABLES = Arrays.stream(PagilaTable.values()).map(PagilaTable::id).toList();

    @Test
    void shouldPassOnACorrectLogWithExactStatistics() throws Exception {
        try (Connection c = correctLog()) {
            ValidationReport report = validate(c, ValidationOptions.defaults().withCompareWithSource(true));

            assertThat(report.violations()).isEmpty();
            assertThat(report.passed()).isTrue();
            assertThat(report.table("customer").orElseThrow()).satisfies(t -> {
                assertThat(t.rows()).isEqualTo(33);
                assertThat(t.lsn()).isEqualTo(new TableStats.LsnRange(1, 33, 33));
                assertThat(t.ops()).isEqualTo(new TableStats.OpMix(31, 2, 0));
                assertThat(t.nonObjectPayloads()).isZero();
            });
            assertThat(report.table("payment").orElseThrow().lsn()).isEqualTo(new TableStats.LsnRange(1, 42, 42));
            assertThat(report.table("rental").orElseThrow().ops()).isEqualTo(new TableStats.OpMix(35, 1, 1));
            assertThat(report.toText()).contains("checks: PASSED");
        }
    }

    @Test
    void shouldFindADuplicateLsn() throws Exception {
        try (Connection c = correctLog()) {
            execute(c, "ALTER TABLE cdc_bronze.br_payment_cdc DROP CONSTRAINT br_payment_cdc_pkey",
                    "INSERT INTO cdc_bronze.br_payment_cdc SELECT * FROM cdc_bronze.br_payment_cdc WHERE lsn = 5");
            assertOnly(validate(c, ValidationOptions.defaults()), "payment", Check.LSN_UNIQUE, 1, "5 appears 2 times");
        }
    }

    @Test
    void shouldFindAGap() throws Exception {
        try (Connection c = correctLog()) {
            execute(c, "DELETE FROM cdc_bronze.br_rental_cdc WHERE lsn = 10");
            ValidationReport report = validate(c, ValidationOptions.defaults().withCompareWithSource(false));
            assertOnly(report, "rental", Check.LSN_DENSE, 1, "lsn 10 is missing");
        }
    }

    @Test
    void shouldFindALogNotStartingAtOne() throws Exception {
        try (Connection c = correctLog()) {
            execute(c, "UPDATE cdc_bronze.br_customer_cdc SET lsn = lsn + 100");
            assertOnly(validate(c, ValidationOptions.defaults()), "customer", Check.LSN_STARTS_AT_ONE, 1,
                    "the first lsn is 101");
        }
    }

    @Test
    void shouldFindAnOrderInversionInsideATransaction() throws Exception {
        try (Connection c = correctLog()) {
            swapLsn(c, "br_customer_cdc", 32, 33);
            assertOnly(validate(c, ValidationOptions.defaults()), "customer", Check.ORDER_IN_TRANSACTION, 1,
                    "lsn 33");
        }
    }

    @Test
    void shouldFindATransactionSplitByAnother() throws Exception {
        try (Connection c = correctLog()) {
            swapLsn(c, "br_customer_cdc", 31, 32);
            assertOnly(validate(c, ValidationOptions.defaults()), "customer", Check.TRANSACTION_CONTIGUOUS, 1,
                    "is split into 2 runs");
        }
    }

    @Test
    void shouldFindTransactionsOutOfCommitOrder() throws Exception {
        try (Connection c = correctLog()) {
            execute(c, "UPDATE cdc_bronze.br_rental_cdc SET commit_ts = commit_ts + interval '1 hour' WHERE lsn = 36");
            ValidationReport report = validate(c, ValidationOptions.defaults());
            assertOnly(report, "rental", Check.COMMIT_TIME_ORDER, 1, "at lsn 37");
        }
    }

    @Test
    void shouldFindASnapshotRowAfterStreamedChanges() throws Exception {
        try (Connection c = correctLog()) {
            swapLsn(c, "br_payment_cdc", 1, 41);
            // The streamed insert now sits at lsn 1, before all 40 snapshot rows (lsn 2..41).
            assertOnly(validate(c, ValidationOptions.defaults()), "payment", Check.SNAPSHOT_FIRST, 40,
                    "snapshot row at lsn 2 comes after streamed changes");
        }
    }

    @Test
    void shouldFindANonObjectPayload() throws Exception {
        try (Connection c = correctLog()) {
            execute(c, "UPDATE cdc_bronze.br_payment_cdc SET full_row = '[1, 2]' WHERE lsn = 3");
            ValidationReport report = validate(c, ValidationOptions.defaults().withCompareWithSource(false));
            assertOnly(report, "payment", Check.PAYLOAD_OBJECT, 1, "lsn 3 holds a array");
            assertThat(report.table("payment").orElseThrow().nonObjectPayloads()).isEqualTo(1);
        }
    }

    @Test
    void shouldFindASourceRowMissingFromTheLog() throws Exception {
        try (Connection c = correctLog()) {
            execute(c, "INSERT INTO customer (customer_id, store_id, first_name, last_name, address_id)"
                    + " VALUES (9001, 1, 'NOT', 'CAPTURED', 1)");
            assertOnly(validate(c, ValidationOptions.defaults()), "customer", Check.REPLAY_MISSING, 1,
                    "{\"customer_id\": 9001}");
        }
    }

    @Test
    void shouldFindALogRowTheSourceNoLongerHas() throws Exception {
        try (Connection c = correctLog()) {
            execute(c, "DELETE FROM rental WHERE rental_id = 7");
            assertOnly(validate(c, ValidationOptions.defaults()), "rental", Check.REPLAY_EXTRA, 1,
                    "{\"rental_id\": 7} (lsn 7)");
        }
    }

    @Test
    void shouldFindALogRowThatDiffersFromTheSource() throws Exception {
        try (Connection c = correctLog()) {
            execute(c, "UPDATE payment SET amount = 99.99 WHERE payment_id = 16055");
            assertOnly(validate(c, ValidationOptions.defaults()), "payment", Check.REPLAY_DIFFERENT, 1,
                    "{\"payment_id\": 16055, \"payment_date\"");
        }
    }

    @Test
    void shouldTreatAColumnAddedAfterARowsLastChangeAsNullButReportAnUnrecordedDefaultAsOneDrift() throws Exception {
        try (Connection c = correctLog()) {
            execute(c, "ALTER TABLE customer ADD COLUMN notes text");
            assertThat(validate(c, ValidationOptions.defaults()).violations()).isEmpty();
            execute(c, "ALTER TABLE rental ADD COLUMN fee integer NOT NULL DEFAULT 5");
            assertOnly(validate(c, ValidationOptions.defaults()), "rental", Check.SCHEMA_DRIFT, 34,
                    "without a recorded event");
        }
    }

    @Test
    void shouldAlertOnLagAboveTheThreshold() throws Exception {
        try (Connection c = correctLog()) {
            execute(c, "UPDATE cdc_bronze.br_rental_cdc SET load_ts = now() - interval '1 hour'");
            ValidationReport report = validate(c, ValidationOptions.defaults().withLagThreshold(Duration.ofMinutes(10)));
            assertOnly(report, "rental", Check.LAG, 1, "above the threshold of 600 s");
            assertThat(report.table("rental").orElseThrow().lag()).isGreaterThan(Duration.ofMinutes(59));
        }
    }

    @Test
    void shouldReportAMissingSlotAndTheRetainedWalOfAPresentOne() throws Exception {
        try (Connection c = correctLog()) {
            assertOnly(validate(c, ValidationOptions.defaults().withSlot("no_such_slot")), "*",
                    Check.SLOT_PRESENT, 1, "no_such_slot does not exist");
            execute(c, "SELECT pg_create_logical_replication_slot('validator_probe', 'pgoutput')",
                    "UPDATE customer SET active = 0 WHERE customer_id = 1");
            ValidationReport report = validate(c, ValidationOptions.defaults().withSlot("validator_probe")
                    .withCompareWithSource(false));
            assertThat(report.slot()).hasValueSatisfying(slot -> {
                assertThat(slot.active()).isFalse();
                assertThat(slot.retainedWalBytes()).isPositive();
            });
            assertThat(report.toText()).contains("slot validator_probe (inactive) retains");
            execute(c, "SELECT pg_drop_replication_slot('validator_probe')");
        }
    }

    @Test
    void shouldRefuseAMissingBronzeTableNamingIt() throws Exception {
        try (Connection c = correctLog()) {
            assertThatThrownBy(() -> BronzeValidator.validate(c, new BronzeSchema("no_such_schema"), TABLES,
                    ValidationOptions.defaults()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no_such_schema.br_customer_cdc does not exist");
        }
    }

    /**
     * Bronze in its own database ({@code target:}): the replay check streams the folded log from one database and
     * the source rows from the other, and finds what it finds in one database, no more and no less.
     */
    @Test
    void shouldCompareReplayWithASourceInAnotherDatabaseAsInOne() throws Exception {
        try (Connection source = correctLog();
                Connection target = POSTGRES.connect(POSTGRES.newDatabase("t" + DATABASES.incrementAndGet()))) {
            copyBronze(source, target);
            ValidationOptions options = ValidationOptions.defaults().withCompareWithSource(true);
            assertThat(BronzeValidator.validate(target, source, BRONZE, TABLES, options).violations()).isEmpty();
            assertThat(SourceCatalog.primaryKey(target, TableId.of("customer"))).as("no source table in the target")
                    .isEmpty();

            execute(source, "INSERT INTO customer (customer_id, store_id, first_name, last_name, address_id)"
                    + " VALUES (9001, 1, 'NOT', 'CAPTURED', 1)", "DELETE FROM rental WHERE rental_id = 7",
                    "UPDATE payment SET amount = 99.99 WHERE payment_id = 16055");
            List<Violation> inOne = validate(source, options).violations();
            assertThat(inOne).extracting(Violation::check)
                    .containsExactlyInAnyOrder(Check.REPLAY_MISSING, Check.REPLAY_EXTRA, Check.REPLAY_DIFFERENT);
            assertThat(BronzeValidator.validate(target, source, BRONZE, TABLES, options).violations())
                    .as("the same findings across two databases").containsExactlyInAnyOrderElementsOf(inOne);

            execute(target, "UPDATE cdc_bronze.br_customer_cdc SET full_row = full_row || '{\"active\": 7}'"
                    + " WHERE lsn = 5");
            assertThat(BronzeValidator.validate(target, source, BRONZE, TABLES, options).violations())
                    .as("the log is read from the target").hasSize(4);
        }
    }

    /** The bronze schema of {@code from}, rows included, into {@code to} (COPY out, COPY in). */
    private static void copyBronze(Connection from, Connection to) throws Exception {
        io.bronzecdc.model.bronze.BronzeMigrator.migrate(to, BRONZE, TABLES);
        var out = from.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
        var in = to.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
        for (TableId table : TABLES) {
            var rows = new java.io.StringWriter();
            out.copyOut("COPY " + BRONZE.tableOf(table) + " TO STDOUT", rows);
            in.copyIn("COPY " + BRONZE.tableOf(table) + " FROM STDIN", new java.io.StringReader(rows.toString()));
        }
    }

    /** Exactly one violation, of this check on this table, and both reports name it. */
    private static void assertOnly(ValidationReport report, String table, Check check, long count, String example)
            throws Exception {
        assertThat(report.passed()).isFalse();
        assertThat(report.violations()).singleElement().satisfies(v -> {
            assertThat(v.table()).isEqualTo(table);
            assertThat(v.check()).isEqualTo(check);
            assertThat(v.count()).isEqualTo(count);
            assertThat(v.example()).contains(example);
        });
        assertThat(report.toText()).contains("checks: FAILED (1 violations)").contains(table + ": " + check.id());
        JsonNode json = new ObjectMapper().readTree(report.toJson());
        assertThat(json.get("passed").asBoolean()).isFalse();
        assertThat(json.get("violations").get(0).get("table").asText()).isEqualTo(table);
        assertThat(json.get("violations").get(0).get("check").asText()).isEqualTo(check.id());
    }

    private static ValidationReport validate(Connection c, ValidationOptions options) throws SQLException {
        return BronzeValidator.validate(c, BRONZE, TABLES, options);
    }

    /** A fresh database with a small Pagila-shaped source and its correct bronze log. */
    private static Connection correctLog() throws SQLException {
        Connection c = POSTGRES.connect(POSTGRES.newDatabase("v" + DATABASES.incrementAndGet()));
        SourceSchema.create(c);
        PagilaLoader.loadGenerated(c, new PagilaGenerator(7, new PagilaGenerator.Counts(30, 40, 35)));
        ReferenceCapture capture = ReferenceCapture.snapshot(c, BRONZE);
        capture.transaction(
                update("customer", "UPDATE customer c SET email = 'new@example.org' WHERE customer_id = 1"
                        + " RETURNING to_jsonb(c)::text"),
                insert("payment", "INSERT INTO payment AS p (customer_id, staff_id, rental_id, amount, payment_date)"
                        + " VALUES (1, 1, 1, 4.99, '2022-03-01 10:00:00.5+00') RETURNING to_jsonb(p)::text"),
                delete("rental", "DELETE FROM rental r WHERE rental_id = 3 RETURNING to_jsonb(r)::text"));
        capture.transaction(
                insert("customer", "INSERT INTO customer AS c (store_id, first_name, last_name, address_id)"
                        + " VALUES (2, 'NEW', 'CUSTOMER', 9) RETURNING to_jsonb(c)::text"),
                update("payment", "UPDATE payment p SET amount = 0.5 WHERE payment_id = 16051"
                        + " RETURNING to_jsonb(p)::text"),
                update("customer", "UPDATE customer c SET active = 0 WHERE customer_id = 2"
                        + " RETURNING to_jsonb(c)::text"));
        capture.transaction(
                update("rental", "UPDATE rental r SET return_date = NULL WHERE rental_id = 5"
                        + " RETURNING to_jsonb(r)::text"));
        return c;
    }

    private static void swapLsn(Connection c, String bronzeTable, long a, long b) throws SQLException {
        String table = "cdc_bronze." + bronzeTable;
        execute(c, "UPDATE " + table + " SET lsn = -1 WHERE lsn = " + a,
                "UPDATE " + table + " SET lsn = " + a + " WHERE lsn = " + b,
                "UPDATE " + table + " SET lsn = " + b + " WHERE lsn = -1");
    }

    private static void execute(Connection c, String... statements) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }
}
