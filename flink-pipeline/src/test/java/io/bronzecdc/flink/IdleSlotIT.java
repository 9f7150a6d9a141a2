package io.bronzecdc.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bronzecdc.flink.testing.PipelineUnderTest;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The pgoutput source lets the slot advance while the captured tables are quiet and other tables churn: first a
 * table outside the publication (the server then sends only keepalives), then a published table the pipeline does
 * not capture (whole transactions it skips). Either way the slot's confirmed position passes the churn, so the WAL
 * it retains stays bounded, and bronze gets nothing.
 */
class IdleSlotIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final TableId QUIET = TableId.of("quiet");

    @Test
    void shouldAdvanceTheSlotWhileTheCapturedTableIsQuietAndOthersChurn() throws Exception {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE quiet (id int PRIMARY KEY, v text)");
            s.execute("INSERT INTO quiet VALUES (1, 'only row')");
            s.execute("CREATE TABLE churn_unpublished (id serial PRIMARY KEY, v text)");
            s.execute("CREATE TABLE churn_published (id serial PRIMARY KEY, v text)");
        }
        PipelineConfig config = PipelineUnderTest.config(POSTGRES.server(), POSTGRES.database(), "it_idle",
                BronzeSchema.DEFAULT_NAME, Duration.ofMillis(200), List.of(QUIET));
        try (PipelineUnderTest pipeline = PipelineUnderTest.start(POSTGRES.server(), config);
                Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            pipeline.awaitBronzeCounts(Map.of(QUIET, 1L));

            PgLsn unpublished = churn(s, "churn_unpublished");
            awaitConfirmedPast(s, unpublished);

            s.execute("ALTER PUBLICATION it_idle_pub ADD TABLE churn_published");
            PgLsn published = churn(s, "churn_published");
            awaitConfirmedPast(s, published);

            pipeline.assertNothingMoreArrives(Map.of(QUIET, 1L), Duration.ofSeconds(1));
        }
    }

    /** 200 one-row transactions on {@code table}; returns the WAL position after the first 100. */
    private static PgLsn churn(Statement s, String table) throws SQLException {
        PgLsn middle = null;
        for (int i = 0; i < 200; i++) {
            s.execute("INSERT INTO " + table + " (v) VALUES (repeat('x', 100))");
            if (i == 99) {
                middle = lsn(s, "SELECT pg_current_wal_lsn()::text");
            }
        }
        return middle;
    }

    private static void awaitConfirmedPast(Statement s, PgLsn position) {
        await("slot it_idle confirmed past " + position).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> lsn(s, "SELECT confirmed_flush_lsn::text FROM pg_replication_slots"
                        + " WHERE slot_name = 'it_idle'").compareTo(position) >= 0);
    }

    private static PgLsn lsn(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return PgLsn.parse(rs.getString(1));
        }
    }
}
