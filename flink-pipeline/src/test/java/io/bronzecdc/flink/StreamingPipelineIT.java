package io.bronzecdc.flink;

import static io.bronzecdc.flink.testing.PipelineUnderTest.TABLES;
import static io.bronzecdc.flink.testing.PipelineUnderTest.committedChanges;
import static io.bronzecdc.flink.testing.PipelineUnderTest.plus;
import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.flink.testing.PipelineUnderTest;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.SourceConnector;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.PagilaFiles;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One running job through the life of a source: the Pagila snapshot, then live transactions, COPY, a TOASTed
 * column, a new partition and a new column. Tests run in order and each asserts the whole bronze log so far:
 * exact counts, lsn dense, streamed changes equal to the committed history in order, replay equal to the source.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StreamingPipelineIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static PipelineUnderTest pipeline;
    private static Map<TableId, Long> expected;
    private static SourceConnector connector;
    private static final List<CommittedTransaction> COMMITTED = new java.util.ArrayList<>();

    /** Loads Pagila and starts the job: with the pgoutput source, or Flink CDC's for the subclass that says so. */
    @BeforeAll
    static void startOnPagila(TestInfo test) throws Exception {
        connector = test.getTestClass().filter(StreamingPipelineFlinkCdcIT.class::equals).isPresent()
                ? SourceConnector.FLINK_CDC : SourceConnector.PGOUTPUT;
        COMMITTED.clear();
        try (Connection c = POSTGRES.connect()) {
            SourceSchema.create(c);
            PagilaLoader.loadFiles(c, PagilaFiles.directory());
        }
        pipeline = PipelineUnderTest.start(POSTGRES.server(), PipelineUnderTest.config(POSTGRES.server(),
                POSTGRES.database(), "it_stream", BronzeSchema.DEFAULT_NAME, Duration.ofMillis(200))
                .withConnector(connector));
        expected = pipeline.sourceCounts();
    }

    @AfterAll
    static void stop() throws Exception {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    @Order(1)
    void shouldLandThePagilaSnapshotDenseWithPayloadsEqualToTheSourceRows() throws Exception {
        assertThat(expected).containsExactlyInAnyOrderEntriesOf(Map.of(
                TableId.of("customer"), 599L, TableId.of("payment"), 16_049L, TableId.of("rental"), 16_044L));
        pipeline.awaitBronzeCounts(expected);
        ValidationReport report = validate();
        assertThat(report.violations()).isEmpty();
        for (TableId table : TABLES) {
            long rows = expected.get(table);
            assertThat(report.table(table.name()).orElseThrow().lsn()).as(table.name())
                    .extracting("min", "max", "distinct").containsExactly(1L, rows, rows);
        }
        // Every payload, compared as the exact jsonb text of to_jsonb (not just jsonb equality).
        try (Connection c = pipeline.connect(); Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
            assertThat(single(s, "SELECT count(*) FROM cdc_bronze.br_payment_cdc b JOIN payment p"
                    + " ON p.payment_id = (b.full_row->>'payment_id')::int"
                    + " WHERE b.full_row::text = to_jsonb(p)::text")).isEqualTo(16_049L);
            assertThat(single(s, "SELECT count(*) FROM cdc_bronze.br_rental_cdc b JOIN rental r"
                    + " ON r.rental_id = (b.full_row->>'rental_id')::int"
                    + " WHERE b.full_row::text = to_jsonb(r)::text")).isEqualTo(16_044L);
            // Flink CDC gives snapshot rows no position; the pgoutput source gives them the slot's consistent point.
            String snapshotLsn = connector == SourceConnector.FLINK_CDC ? "source_lsn = 0" : "source_lsn > 0";
            assertThat(single(s, "SELECT count(*) FROM cdc_bronze.br_customer_cdc WHERE op = 'I' AND tx_id IS NULL"
                    + " AND commit_ts IS NULL AND (" + snapshotLsn + ")")).isEqualTo(599L);
            if (connector == SourceConnector.PGOUTPUT) {
                assertThat(single(s, "SELECT count(DISTINCT source_lsn) FROM cdc_bronze.br_customer_cdc"
                        + " WHERE tx_id IS NULL")).as("every snapshot row carries the one consistent point")
                        .isEqualTo(1L);
            }
        }
    }

    @Test
    @Order(2)
    void shouldAppendLiveMultiStatementTransactionsInCommitOrder() throws Exception {
        try (Connection c = pipeline.connect()) {
            COMMITTED.addAll(new ChangeWorkload(42, 5).run(c, 150));
        }
        expected = plus(expected, COMMITTED);
        pipeline.awaitBronzeCounts(expected);
        assertStreamedHistoryAndReplay();
        pipeline.assertNothingMoreArrives(expected, Duration.ofSeconds(2));
    }

    @Test
    @Order(3)
    void shouldCaptureEveryRowOfACopyWithDistinctLsn() throws Exception {
        try (Connection c = pipeline.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE copy_rows (LIKE customer)");
            long before = single(s, "SELECT max(customer_id) FROM customer");
            new org.postgresql.copy.CopyManager(c.unwrap(org.postgresql.core.BaseConnection.class)).copyIn(
                    "COPY customer (store_id, first_name, last_name, email, address_id, active) FROM STDIN",
                    new java.io.StringReader("1\tCOPY\tONE\t\\N\t1\t1\n2\tCOPY\tTWO\tx@y.z\t2\t1\n1\tCOPY\tTHREE\t\\N\t3\t0\n"));
            assertThat(single(s, "SELECT count(*) FROM customer WHERE customer_id > " + before)).isEqualTo(3L);
        }
        expected.merge(TableId.of("customer"), 3L, Long::sum);
        pipeline.awaitBronzeCounts(expected);
        try (Connection c = pipeline.connect(); Statement s = c.createStatement()) {
            assertThat(single(s, "SELECT count(DISTINCT lsn) FROM cdc_bronze.br_customer_cdc"
                    + " WHERE full_row->>'last_name' IN ('ONE', 'TWO', 'THREE')")).isEqualTo(3L);
            assertThat(single(s, "SELECT count(DISTINCT source_lsn) FROM cdc_bronze.br_customer_cdc"
                    + " WHERE full_row->>'last_name' IN ('ONE', 'TWO', 'THREE')"))
                    .as("a COPY's rows share WAL records, yet each got its own lsn").isLessThanOrEqualTo(3L);
        }
        assertThat(validate().violations()).isEmpty();
    }

    @Test
    @Order(4)
    void shouldKeepLargeUnchangedValuesAndNewColumnsWithoutRestart() throws Exception {
        String megabyte = "x".repeat(1 << 20);
        try (Connection c = pipeline.connect(); Statement s = c.createStatement()) {
            // A new column while the job runs (no restart): later payloads carry it.
            s.execute("ALTER TABLE customer ADD COLUMN notes text");
            s.execute("UPDATE customer SET notes = repeat('x', 1048576) WHERE customer_id = 1");
            // A small column changes; the 1 MB TOASTed value stays and must still be in full_row.
            s.execute("UPDATE customer SET active = 0 WHERE customer_id = 1");
            s.execute("DELETE FROM customer WHERE customer_id = 1");
        }
        expected.merge(TableId.of("customer"), 3L, Long::sum);
        pipeline.awaitBronzeCounts(expected);
        try (Connection c = pipeline.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT op, full_row->>'notes', full_row->>'active'"
                        + " FROM cdc_bronze.br_customer_cdc WHERE (full_row->>'customer_id')::int = 1 ORDER BY lsn")) {
            StringBuilder history = new StringBuilder();
            while (rs.next()) {
                String notes = rs.getString(2);
                history.append(rs.getString(1)).append(':').append(notes == null ? "null"
                        : notes.equals(megabyte) ? "1MB" : "len" + notes.length()).append(':').append(rs.getString(3))
                        .append(' ');
            }
            // snapshot I (no column yet), U with 1 MB, U of `active` keeping 1 MB, D with the full before-image.
            assertThat(history.toString().trim()).endsWith("U:1MB:1 U:1MB:0 D:1MB:0");
        }
        assertThat(validate().violations()).isEmpty();
    }

    @Test
    @Order(5)
    void shouldCaptureAPaymentInANewPartitionAsPayment() throws Exception {
        try (Connection c = pipeline.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE payment_p2022_08 PARTITION OF payment"
                    + " FOR VALUES FROM ('2022-08-01 00:00:00+00') TO ('2022-09-01 00:00:00+00')");
            s.execute("ALTER TABLE payment_p2022_08 REPLICA IDENTITY FULL");
            s.execute("INSERT INTO payment (customer_id, staff_id, rental_id, amount, payment_date)"
                    + " VALUES (2, 1, 1, 7.77, '2022-08-15 12:00:00.123456+00')");
        }
        expected.merge(TableId.of("payment"), 1L, Long::sum);
        pipeline.awaitBronzeCounts(expected);
        try (Connection c = pipeline.connect(); Statement s = c.createStatement()) {
            assertThat(single(s, "SELECT count(*) FROM cdc_bronze.br_payment_cdc WHERE op = 'I'"
                    + " AND full_row->>'amount' = '7.77' AND full_row->>'payment_date' = '2022-08-15T12:00:00.123456+00:00'"))
                    .isEqualTo(1L);
        }
        assertThat(validate().violations()).isEmpty();
        pipeline.assertNothingMoreArrives(expected, Duration.ofSeconds(1));
    }

    private static void assertStreamedHistoryAndReplay() throws Exception {
        for (TableId table : TABLES) {
            assertThat(pipeline.streamedChanges(table)).as("bronze order of " + table + " = commit order")
                    .containsExactlyElementsOf(committedChanges(COMMITTED, table));
        }
        assertThat(validate().violations()).isEmpty();
    }

    private static ValidationReport validate() throws SQLException {
        try (Connection c = pipeline.connect()) {
            return BronzeValidator.validate(c, BronzeSchema.defaultSchema(), TABLES,
                    ValidationOptions.defaults().withCommitTimeTolerance(Duration.ZERO));
        }
    }

    private static long single(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
