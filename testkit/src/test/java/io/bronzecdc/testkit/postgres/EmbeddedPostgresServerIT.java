package io.bronzecdc.testkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.testing.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.RegisterExtension;

class EmbeddedPostgresServerIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @Test
    void shouldRunWithTheSettingsLogicalDecodingNeeds() throws Exception {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            assertThat(setting(s, "wal_level")).isEqualTo("logical");
            assertThat(setting(s, "synchronous_commit")).isEqualTo("on");
            assertThat(setting(s, "log_timezone")).isEqualTo("UTC");
            assertThat(Integer.parseInt(setting(s, "max_prepared_transactions"))).isPositive();
            assertThat(Integer.parseInt(setting(s, "max_replication_slots"))).isGreaterThanOrEqualTo(8);
            assertThat(setting(s, "server_version_num")).startsWith("17");
        }
    }

    @Test
    void shouldDecodeACommittedInsertThroughAPgoutputSlot() throws Exception {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE decode_probe (id int PRIMARY KEY, note text)");
            s.execute("CREATE PUBLICATION decode_probe_pub FOR TABLE decode_probe");
            s.execute("SELECT pg_create_logical_replication_slot('decode_probe_slot', 'pgoutput')");
            s.execute("INSERT INTO decode_probe VALUES (42, 'seen by the slot')");

            List<Character> kinds = new ArrayList<>();
            String insertedTuple = null;
            try (ResultSet rs = s.executeQuery("SELECT data FROM pg_logical_slot_get_binary_changes("
                    + "'decode_probe_slot', NULL, NULL, 'proto_version', '1', 'publication_names', 'decode_probe_pub')")) {
                while (rs.next()) {
                    byte[] message = rs.getBytes(1);
                    char kind = (char) message[0];
                    kinds.add(kind);
                    if (kind == 'I') {
                        insertedTuple = new String(message, StandardCharsets.UTF_8);
                    }
                }
            }
            // pgoutput: Begin, Relation, Insert, Commit for one committed single-row transaction.
            assertThat(kinds).containsExactly('B', 'R', 'I', 'C');
            assertThat(insertedTuple).contains("42").contains("seen by the slot");
            s.execute("SELECT pg_drop_replication_slot('decode_probe_slot')");
        }
    }

    @ParameterizedTest
    @EnumSource(EmbeddedPostgresServer.Shutdown.class)
    void shouldComeBackAfterAStopWithTheCommittedRowsTheSlotAndTheSettings(EmbeddedPostgresServer.Shutdown mode)
            throws Exception {
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start()) {
            int port = server.port();
            try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE restart_probe (id int PRIMARY KEY)");
                s.execute("INSERT INTO restart_probe SELECT generate_series(1, 100)");
                s.execute("SELECT pg_create_logical_replication_slot('restart_probe_slot', 'pgoutput')");
            }
            Connection open = server.connect("postgres");
            open.setAutoCommit(false);
            try (Statement s = open.createStatement()) {
                s.execute("INSERT INTO restart_probe VALUES (101)");
            }

            server.shutDown(mode);
            assertThat(server.isStopped()).isTrue();
            assertThatThrownBy(() -> server.connect("postgres").close()).as("a connection while stopped")
                    .isInstanceOf(java.sql.SQLException.class);
            assertThatThrownBy(() -> server.shutDown(mode)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already stopped");
            server.startAgain();

            assertThat(server.port()).isEqualTo(port);
            try (Connection c = server.connect("postgres"); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT count(*), max(id) FROM restart_probe")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("committed rows, not the open transaction's").isEqualTo(100);
                    assertThat(rs.getInt(2)).isEqualTo(100);
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots"
                        + " WHERE slot_name = 'restart_probe_slot'")) {
                    rs.next();
                    assertThat(rs.getLong(1)).as("the slot survives").isEqualTo(1);
                }
                assertThat(setting(s, "wal_level")).isEqualTo("logical");
                assertThat(setting(s, "synchronous_commit")).isEqualTo("on");
                assertThat(setting(s, "max_prepared_transactions")).isEqualTo("64");
            }
            assertThatThrownBy(() -> open.createStatement().execute("COMMIT"))
                    .as("the connection open before the stop").isInstanceOf(java.sql.SQLException.class);
            open.close();
            assertThatThrownBy(server::startAgain).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not stopped");
        }
    }

    private static String setting(Statement s, String name) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT current_setting('" + name + "')")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
