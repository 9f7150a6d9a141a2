package io.bronzecdc.spark.job;

import io.bronzecdc.model.ExitCode;
import static io.bronzecdc.testkit.pagila.ReferenceCapture.Change.delete;
import static io.bronzecdc.testkit.pagila.ReferenceCapture.Change.insert;
import static io.bronzecdc.testkit.pagila.ReferenceCapture.Change.update;
import static io.bronzecdc.spark.testing.BatchPipeline.single;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.testing.PagilaFiles;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.validate.Check;
import io.bronzecdc.spark.testing.BatchPipeline;
import io.bronzecdc.spark.testing.FlinkJobProcess;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.ReferenceCapture;
import io.bronzecdc.testkit.pagila.SourceSchema;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The validation job on real bronze logs of one Pagila history: the Spark micro-batch job's log
 * ({@code cdc_bronze}), a {@link ReferenceCapture} log of the same history standing in for a second engine
 * ({@code cdc_reference}), copies of the Spark log each carrying one injected corruption, and last a log
 * written by the Flink job running in its own JVM ({@code cdc_flink}). The history, after the Pagila snapshot:
 *
 * <pre>
 * tx1: U payment P1, U payment P2         payment lsn 16050, 16051
 * tx2: U payment P1, D payment P3, I customer   payment lsn 16052, 16053; customer lsn 600
 * </pre>
 *
 * so customer 600, payment 16,053 and rental 16,044 rows: 32,697.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ValidationJobIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();
    @TempDir
    static Path dir;

    private static final String P1 = "(SELECT min(payment_id) FROM payment)";
    private static final String P2 = "(SELECT max(payment_id) FROM payment)";
    private static final String P3 = "(SELECT payment_id FROM payment ORDER BY payment_id OFFSET 10 LIMIT 1)";
    private static final long TOTAL_ROWS = 600 + 16_053 + 16_044;

    private static SparkSession spark;
    private static BatchPipeline pipeline;

    @BeforeAll
    static void captureOneHistoryTwice() throws Exception {
        spark = BatchPipeline.localSession("ValidationJobIT");
        try (Connection c = POSTGRES.connect()) {
            SourceSchema.create(c);
            PagilaLoader.loadFiles(c, PagilaFiles.directory());
        }
        pipeline = BatchPipeline.create(POSTGRES.server(), POSTGRES.database(), "it_validate", "cdc_bronze", dir);
        assertThat(pipeline.run()).as("snapshot run").isEqualTo(ExitCode.SUCCESS.code());
        try (Connection c = POSTGRES.connect()) {
            ReferenceCapture reference = ReferenceCapture.snapshot(c, new BronzeSchema("cdc_reference"));
            reference.transaction(
                    update("payment", "UPDATE payment p SET amount = amount + 1 WHERE payment_id = " + P1
                            + " RETURNING to_jsonb(p)::text"),
                    update("payment", "UPDATE payment p SET amount = amount + 1 WHERE payment_id = " + P2
                            + " RETURNING to_jsonb(p)::text"));
            reference.transaction(
                    update("payment", "UPDATE payment p SET amount = 0.5 WHERE payment_id = " + P1
                            + " RETURNING to_jsonb(p)::text"),
                    delete("payment", "DELETE FROM payment p WHERE payment_id = " + P3 + " RETURNING to_jsonb(p)::text"),
                    insert("customer", "INSERT INTO customer AS c (store_id, first_name, last_name, address_id)"
                            + " VALUES (2, 'NEW', 'CUSTOMER', 9) RETURNING to_jsonb(c)::text"));
        }
        assertThat(pipeline.run()).as("stream run").isEqualTo(ExitCode.SUCCESS.code());
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    @Order(1)
    void shouldPassOnTheSparkLogWithTheExactSummary() throws Exception {
        Path json = dir.resolve("spark.json");
        Result result = validate("--config", config(), "--json", json.toString());

        assertThat(result.code).as(result.out).isEqualTo(ExitCode.SUCCESS.code());
        assertPassingSummary(result.out, "cdc_bronze");
        assertThat(result.out).contains("slot it_validate (inactive) retains")
                .contains("JSON report: " + json.toAbsolutePath());
        JsonNode report = new ObjectMapper().readTree(Files.readString(json));
        assertThat(report.get("passed").asBoolean()).isTrue();
        assertThat(report.get("violations")).isEmpty();
        assertThat(report.get("summary").get("tables_processed").asInt()).isEqualTo(3);
        assertThat(report.get("summary").get("total_rows").asLong()).isEqualTo(TOTAL_ROWS);
        assertThat(report.get("summary").get("lag_alert").asBoolean()).isFalse();
        assertThat(report.get("slot").get("name").asText()).isEqualTo("it_validate");
        assertThat(report.get("tables").get(1).get("ops").toString()).isEqualTo("{\"I\":16049,\"U\":3,\"D\":1}");
    }

    @Test
    @Order(2)
    void shouldPassOnTheReferenceLogOfTheSameHistory() throws Exception {
        Result result = validate("--config", config(), "--schema", "cdc_reference");

        assertThat(result.code).as(result.out).isEqualTo(ExitCode.SUCCESS.code());
        assertPassingSummary(result.out, "cdc_reference");
        JsonNode report = lastLineJson(result.out);
        assertThat(report.get("schema").asText()).isEqualTo("cdc_reference");
        assertThat(report.get("summary").get("total_rows").asLong()).isEqualTo(TOTAL_ROWS);
    }

    @Test
    @Order(3)
    void shouldCatchADuplicateLsn() throws Exception {
        String schema = corruptedCopy("bad_duplicate",
                "INSERT INTO %s.br_payment_cdc SELECT * FROM %<s.br_payment_cdc WHERE lsn = 5");
        assertOnly(validate("--config", config(), "--schema", schema), "payment", Check.LSN_UNIQUE,
                "5 appears 2 times");
    }

    @Test
    @Order(4)
    void shouldCatchAGap() throws Exception {
        // lsn 16050 is tx1's update of P1; tx2 updates P1 again, so only the sequence has a hole.
        String schema = corruptedCopy("bad_gap", "DELETE FROM %s.br_payment_cdc WHERE lsn = 16050");
        assertOnly(validate("--config", config(), "--schema", schema), "payment", Check.LSN_DENSE,
                "lsn 16050 is missing");
    }

    @Test
    @Order(5)
    void shouldCatchAnOrderInversion() throws Exception {
        // The two updates of tx1 (different keys) swap places: the fold is unchanged, the order is not.
        String schema = corruptedCopy("bad_order",
                "UPDATE %s.br_payment_cdc SET lsn = -1 WHERE lsn = 16050",
                "UPDATE %s.br_payment_cdc SET lsn = 16050 WHERE lsn = 16051",
                "UPDATE %s.br_payment_cdc SET lsn = 16051 WHERE lsn = -1");
        assertOnly(validate("--config", config(), "--schema", schema), "payment", Check.ORDER_IN_TRANSACTION,
                "lsn 16051");
    }

    @Test
    @Order(6)
    void shouldCatchANonObjectPayload() throws Exception {
        String schema = corruptedCopy("bad_payload", "UPDATE %s.br_rental_cdc SET full_row = '[1, 2]' WHERE lsn = 3");
        Result result = validate("--config", config(), "--schema", schema);

        // The row can no longer be folded by key either, so replay also reports it missing and an extra row.
        assertFailed(result, "rental", Check.PAYLOAD_OBJECT, "lsn 3 holds a array");
        assertThat(lastLineJson(result.out).get("violations")).allSatisfy(v ->
                assertThat(v.get("table").asText()).isEqualTo("rental"));
    }

    @Test
    @Order(7)
    void shouldCatchASourceRowMissingFromBronze() throws Exception {
        // Drop customer 7's only row and renumber, so the log stays dense and only the fold misses the row.
        String schema = corruptedCopy("bad_missing",
                "WITH gone AS (DELETE FROM %s.br_customer_cdc WHERE full_row->>'customer_id' = '7' RETURNING lsn)"
                        + " UPDATE %<s.br_customer_cdc SET lsn = lsn - 1 WHERE lsn > (SELECT lsn FROM gone)");
        assertOnly(validate("--config", config(), "--schema", schema), "customer", Check.REPLAY_MISSING,
                "{\"customer_id\": 7}");
    }

    @Test
    @Order(8)
    void shouldRaiseTheLagAlertNamingTheLaggingTable() throws Exception {
        String schema = corruptedCopy("bad_lag",
                "UPDATE %s.br_rental_cdc SET load_ts = now() - interval '1 hour'");
        Result result = validate("--config", config(), "--schema", schema, "--lag-threshold", "30m");

        assertOnly(result, "rental", Check.LAG, "above the threshold of 1800 s");
        assertThat(result.out).contains("lag alert:        yes (threshold 30m)\n")
                .contains("lagging tables:   rental\n");
        JsonNode summary = lastLineJson(result.out).get("summary");
        assertThat(summary.get("lag_alert").asBoolean()).isTrue();
        assertThat(summary.get("lagging_tables").toString()).isEqualTo("[\"rental\"]");
    }

    @Test
    @Order(9)
    void shouldExitWithPreflightFailedOnAMissingSchema() throws Exception {
        Result result = validate("--config", config(), "--schema", "no_such_schema");

        assertThat(result.code).isEqualTo(ExitCode.NOT_READY.code());
        assertThat(result.err).contains("no_such_schema.br_customer_cdc does not exist");
        assertThat(result.out).isEmpty();
    }

    @Test
    @Order(10)
    void shouldExitWithPreflightFailedWhenTheDatabaseCannotBeReached() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Path file = dir.resolve("unreachable.yaml");
        Files.writeString(file, Files.readString(Path.of(config()))
                .replace("port: " + POSTGRES.server().port(), "port: " + closedPort));
        Result result = validate("--config", file.toString());

        assertThat(result.code).isEqualTo(ExitCode.NOT_READY.code());
        assertThat(result.err).contains("at 127.0.0.1:" + closedPort + " as postgres: nothing accepts connections")
                .contains("Check source.host and source.port");
    }

    /**
     * The Flink job in its own JVM (the engines' classpaths conflict) captures the same source into
     * {@code cdc_flink}: the snapshot, then one streamed transaction. Needs {@code mvn package} of flink-pipeline.
     */
    @Test
    @Order(20)
    void shouldPassOnALogWrittenByTheFlinkJob() throws Exception {
        Path flinkTarget = Path.of("..", "flink-pipeline", "target").toAbsolutePath().normalize();
        Assumptions.assumeTrue(FlinkJobProcess.isPackaged(flinkTarget),
                "flink-pipeline is not packaged at " + flinkTarget + ": run mvn package first");
        BatchPipeline.configure(POSTGRES.server(), POSTGRES.database(), "it_flink", "cdc_flink", dir);
        Path flinkConfig = dir.resolve("it_flink.yaml");
        try (FlinkJobProcess job = FlinkJobProcess.start(flinkTarget, flinkConfig, dir.resolve("flink.log"),
                BatchPipeline.ENVIRONMENT.apply("BRONZE_TEST_PASSWORD"))) {
            job.awaitRows(POSTGRES, "cdc_flink", 600 + 16_048 + 16_044);
            try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
                s.execute("BEGIN");
                s.execute("UPDATE customer SET email = 'streamed@example.org' WHERE customer_id = 1");
                s.execute("UPDATE payment SET amount = 1.25 WHERE payment_id = " + P2);
                s.execute("COMMIT");
            }
            job.awaitRows(POSTGRES, "cdc_flink", 600 + 16_048 + 16_044 + 2);
        }
        Result result = validate("--config", flinkConfig.toString());

        assertThat(result.code).as(result.out).isEqualTo(ExitCode.SUCCESS.code());
        assertThat(result.out).contains("schema:           cdc_flink\n").contains("tables processed: 3\n")
                .contains("total rows:       " + (600 + 16_048 + 16_044 + 2) + "\n").contains("checks: PASSED");
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            assertThat(single(c, "SELECT count(*) FROM cdc_flink.br_payment_cdc WHERE tx_id IS NOT NULL"))
                    .as("streamed payment rows").isEqualTo(1);
            // A JVM destroyed between a sink's PREPARE and its COMMIT PREPARED leaves a prepared transaction (empty
            // here: every row was already visible), which would keep the test database from being dropped.
            List<String> prepared = new ArrayList<>();
            try (var rs = s.executeQuery("SELECT gid FROM pg_prepared_xacts WHERE database = current_database()")) {
                while (rs.next()) {
                    prepared.add(rs.getString(1));
                }
            }
            for (String gid : prepared) {
                s.execute("ROLLBACK PREPARED '" + gid.replace("'", "''") + "'");
            }
        }
    }

    private static void assertPassingSummary(String out, String schema) {
        assertThat(out).contains("=== CDC metrics summary ===\n")
                .contains("schema:           " + schema + "\n")
                .contains("tables processed: 3\n")
                .contains("total rows:       " + TOTAL_ROWS + "\n")
                .contains("lag alert:        no (threshold 10m)\n")
                .contains("lagging tables:   none\n")
                .contains("checks: PASSED");
    }

    /** Exit code 4, and exactly one violation, of {@code check} on {@code table}, in the text and the JSON. */
    private static void assertOnly(Result result, String table, Check check, String example) throws Exception {
        assertFailed(result, table, check, example);
        assertThat(lastLineJson(result.out).get("violations")).as(result.out).hasSize(1);
    }

    private static void assertFailed(Result result, String table, Check check, String example) throws Exception {
        assertThat(result.code).as(result.out).isEqualTo(ExitCode.CHECK_FAILED.code());
        assertThat(result.out).contains("checks:           FAILED")
                .contains(table + ": " + check.id() + " failed").contains(example);
        JsonNode report = lastLineJson(result.out);
        assertThat(report.get("passed").asBoolean()).isFalse();
        List<String> named = new ArrayList<>();
        report.get("violations").forEach(v -> named.add(v.get("table").asText() + "/" + v.get("check").asText()));
        assertThat(named).contains(table + "/" + check.id());
    }

    /**
     * A copy of the Spark log in {@code schema} (plain tables, no constraints, load_ts kept), with {@code
     * statements} applied; each names the schema as {@code %s}.
     */
    private static String corruptedCopy(String schema, String... statements) throws SQLException {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
            for (String table : List.of("customer", "payment", "rental")) {
                s.execute("CREATE TABLE " + schema + ".br_" + table + "_cdc AS SELECT * FROM cdc_bronze.br_" + table
                        + "_cdc");
            }
            for (String statement : statements) {
                s.execute(statement.formatted(schema));
            }
        }
        return schema;
    }

    private static String config() {
        return dir.resolve("it_validate.yaml").toString();
    }

    private static JsonNode lastLineJson(String out) throws Exception {
        String[] lines = out.strip().split("\n");
        return new ObjectMapper().readTree(lines[lines.length - 1]);
    }

    private static Result validate(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ValidationJob.execute(args, BatchPipeline.ENVIRONMENT,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        Result result = new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.println("validate " + String.join(" ", args) + " -> " + code + "\n" + result.out + result.err);
        return result;
    }

    private record Result(int code, String out, String err) {
    }
}
