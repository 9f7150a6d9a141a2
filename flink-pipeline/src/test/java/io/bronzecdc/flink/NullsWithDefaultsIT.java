package io.bronzecdc.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.flink.testing.PipelineUnderTest;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Regression: a NULL in a column that has a default arrived in bronze as the default's value (a NULL
 * {@code timestamptz DEFAULT now()} as {@code "1970-01-01T00:00:00+00:00"}), because Kafka Connect's
 * {@code Struct.get} answers the schema's default for a null value. Columns of several types with constant,
 * {@code now()} and sequence defaults go NULL in snapshot rows, inserts, updates and delete before-images; every
 * bronze row must equal {@code to_jsonb} of the source row at that change.
 */
class NullsWithDefaultsIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final TableId TABLE = TableId.of("defaulted");
    private static final String ALL_NULL = "last_update = NULL, created = NULL, at_noon = NULL, clock = NULL,"
            + " counter = NULL, seq = NULL, amount = NULL, ratio = NULL, label = NULL, flag = NULL, doc = NULL,"
            + " token = NULL, blob = NULL, mood = NULL";
    private static final String ALL_DEFAULT = ALL_NULL.replace("NULL", "DEFAULT");

    @Test
    void shouldStoreNullNotTheColumnDefault() throws Exception {
        List<String> snapshot = new ArrayList<>();
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
            s.execute("CREATE TYPE mood AS ENUM ('sad', 'happy')");
            s.execute("CREATE SEQUENCE defaulted_seq");
            s.execute("""
                    CREATE TABLE defaulted (
                      id int PRIMARY KEY,
                      last_update timestamptz DEFAULT now(),
                      created date DEFAULT current_date,
                      at_noon timestamp DEFAULT '2020-01-01 12:00:00',
                      clock timestamp(3) DEFAULT '2001-02-03 04:05:06.789',
                      counter int DEFAULT 7,
                      seq bigint DEFAULT nextval('defaulted_seq'),
                      amount numeric(7,2) DEFAULT 1.50,
                      ratio double precision DEFAULT 0.5,
                      label varchar(20) DEFAULT 'fallback',
                      flag boolean DEFAULT true,
                      doc jsonb DEFAULT '{"d": 1}',
                      token uuid DEFAULT gen_random_uuid(),
                      blob bytea DEFAULT '\\x0102',
                      mood mood DEFAULT 'happy')""");
            s.execute("ALTER TABLE defaulted REPLICA IDENTITY FULL");
            snapshot.add(returning(s, "INSERT INTO defaulted (id) VALUES (1)"));
            snapshot.add(returning(s, "INSERT INTO defaulted VALUES (2)"));
            snapshot.set(1, returning(s, "UPDATE defaulted SET " + ALL_NULL + " WHERE id = 2"));
        }
        assertThat(snapshot.get(1)).contains("\"last_update\": null", "\"counter\": null");
        try (PipelineUnderTest pipeline = PipelineUnderTest.start(POSTGRES.server(), PipelineUnderTest.config(
                POSTGRES.server(), POSTGRES.database(), "it_defaults", BronzeSchema.DEFAULT_NAME,
                Duration.ofMillis(200), List.of(TABLE)))) {
            pipeline.awaitBronzeCounts(Map.of(TABLE, 2L));
            List<String> streamed = new ArrayList<>();
            try (Connection c = pipeline.connect(); Statement s = c.createStatement()) {
                s.execute("SET TimeZone = 'UTC'");
                streamed.add("I " + returning(s, "INSERT INTO defaulted (id, " + columns() + ") VALUES (3"
                        + ", NULL".repeat(columns().split(",").length) + ")"));
                streamed.add("U " + returning(s, "UPDATE defaulted SET " + ALL_NULL + " WHERE id = 1"));
                streamed.add("U " + returning(s, "UPDATE defaulted SET " + ALL_DEFAULT + " WHERE id = 2"));
                streamed.add("U " + returning(s, "UPDATE defaulted SET " + ALL_NULL + " WHERE id = 2"));
                streamed.add("D " + returning(s, "DELETE FROM defaulted WHERE id = 3"));
                streamed.add("I " + returning(s, "INSERT INTO defaulted (id) VALUES (4)"));
            }
            pipeline.awaitBronzeCounts(Map.of(TABLE, 8L));
            try (Connection c = pipeline.connect(); Statement s = c.createStatement()) {
                assertThat(lines(s, "SELECT full_row::text FROM cdc_bronze.br_defaulted_cdc WHERE tx_id IS NULL"))
                        .containsExactlyInAnyOrderElementsOf(snapshot);
                assertThat(lines(s, "SELECT op || ' ' || full_row::text FROM cdc_bronze.br_defaulted_cdc"
                        + " WHERE tx_id IS NOT NULL ORDER BY lsn")).containsExactlyElementsOf(streamed);
                s.execute("SET TimeZone = 'UTC'");
                assertThat(BronzeValidator.validate(c, BronzeSchema.defaultSchema(), List.of(TABLE),
                        ValidationOptions.defaults()).violations()).isEmpty();
            }
        }
    }

    private static String columns() {
        return ALL_NULL.replace(" = NULL", "");
    }

    /** Runs a statement on one row and answers {@code to_jsonb} of the row it returns, as jsonb text. */
    private static String returning(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql + " RETURNING to_jsonb(defaulted)::text")) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getString(1);
        }
    }

    private static List<String> lines(Statement s, String sql) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
        }
        return lines;
    }
}
