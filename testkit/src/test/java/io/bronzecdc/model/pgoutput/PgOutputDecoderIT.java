package io.bronzecdc.model.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.event.UpdateRule;
import io.bronzecdc.model.source.PgTypeCatalog;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.testkit.pagila.PagilaGenerator;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.PagilaTable;
import io.bronzecdc.testkit.pagila.SourceSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Decodes what a live PostgreSQL 17 sends through a pgoutput slot of a publication with
 * {@code publish_via_partition_root = true}, and compares it with what the workload saw the server do.
 */
class PgOutputDecoderIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final long SEED = 20_261_125L;
    private static final Map<TableId, List<String>> KEYS = Map.of(
            PagilaTable.CUSTOMER.id(), List.of("customer_id"), PagilaTable.PAYMENT.id(), List.of("payment_id"),
            PagilaTable.RENTAL.id(), List.of("rental_id"), SeededWorkload.BIG, List.of("id"));
    private static final ObjectMapper KEY_READER = new ObjectMapper();

    @BeforeAll
    static void createSource() throws Exception {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            SourceSchema.create(c);
            PagilaLoader.loadGenerated(c, new PagilaGenerator(SEED, new PagilaGenerator.Counts(60, 300, 300)));
            s.execute("CREATE TABLE pgo_big (id integer PRIMARY KEY, big text, n integer);"
                    + " ALTER TABLE pgo_big ALTER COLUMN big SET STORAGE EXTERNAL;"
                    + " ALTER TABLE pgo_big REPLICA IDENTITY FULL;"
                    + " INSERT INTO pgo_big VALUES (1, (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 100) i), 0);"
                    + " CREATE TABLE live_default (id integer PRIMARY KEY, note text);"
                    + " CREATE TABLE live_trunc (id integer PRIMARY KEY); ALTER TABLE live_trunc REPLICA IDENTITY FULL");
        }
    }

    @Test
    void shouldDecodeASeededWorkloadExactlyAsTheServerSawIt() throws Exception {
        try (Connection c = POSTGRES.connect()) {
            createSlot(c, "live", "customer, payment, rental, pgo_big");
            Map<TableId, Map<String, String>> replay = sourceRows(c);
            SeededWorkload workload = new SeededWorkload(c, SEED);
            workload.run(120);

            List<ChangeEvent> events = drain(c, "live", new PgOutputDecoder(KEYS::containsKey, new PgTypeCatalog(c),
                    t -> new UpdateRule(KEYS.get(t))));

            List<SeededWorkload.Change> expected = workload.changes();
            assertThat(events).hasSameSizeAs(expected);
            for (int i = 0; i < events.size(); i++) {
                ChangeEvent e = events.get(i);
                SeededWorkload.Change w = expected.get(i);
                assertThat(e.table() + " " + e.op()).as("change %d", i).isEqualTo(w.table() + " " + w.op());
                assertThat(CapturedStream.tree(e.fullRow())).as("payload of change %d (%s %s)", i, w.op(), w.table())
                        .isEqualTo(CapturedStream.tree(w.json()));
            }
            for (TableId table : KEYS.keySet()) {
                assertThat(ops(events, table)).as("op sequence of %s", table)
                        .isEqualTo(expected.stream().filter(w -> w.table().equals(table)).map(w -> w.op()).toList());
            }
            assertThat(events.stream().map(e -> e.position().txId()).distinct().toList())
                    .as("transactions in commit order").isEqualTo(workload.xids());
            for (int i = 1; i < events.size(); i++) {
                assertThat(events.get(i - 1).position().isBefore(events.get(i).position()))
                        .as("source order of change %d", i).isTrue();
            }
            assertThat(events).anySatisfy(e -> assertThat(e.fullRow().length()).isGreaterThan(1_000_000));

            events.forEach(e -> fold(replay.get(e.table()), e));
            assertThat(replay).isEqualTo(sourceRows(c));
        }
    }

    @Test
    void shouldRefuseADeleteFromATableWithoutReplicaIdentityFull() throws Exception {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            createSlot(c, "fail_default", "live_default");
            s.execute("INSERT INTO live_default VALUES (1, 'one')");
            s.execute("DELETE FROM live_default WHERE id = 1");

            assertThatThrownBy(() -> drain(c, "fail_default", new PgOutputDecoder(t -> true, new PgTypeCatalog(c),
                    CapturedStream::rule)))
                    .isInstanceOf(ContractViolationException.class)
                    .hasMessageContaining("public.live_default: DELETE at")
                    .hasMessageContaining("replica identity DEFAULT")
                    .hasMessageContaining("Fix: ALTER TABLE public.live_default REPLICA IDENTITY FULL");
        }
    }

    @Test
    void shouldRefuseATruncate() throws Exception {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            createSlot(c, "fail_trunc", "live_trunc");
            s.execute("INSERT INTO live_trunc VALUES (1)");
            s.execute("TRUNCATE live_trunc");

            assertThatThrownBy(() -> drain(c, "fail_trunc", new PgOutputDecoder(t -> true, new PgTypeCatalog(c),
                    CapturedStream::rule)))
                    .isInstanceOf(ContractViolationException.class)
                    .hasMessageContaining("public.live_trunc: TRUNCATE at")
                    .hasMessageContaining("cannot be captured as row changes");
        }
    }

    private static void createSlot(Connection c, String name, String tables) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE PUBLICATION " + name + "_pub FOR TABLE " + tables
                    + " WITH (publish_via_partition_root = true)");
            s.execute("SELECT pg_create_logical_replication_slot('" + name + "_slot', 'pgoutput')");
        }
    }

    /**
     * Reads every change of the slot in batches of at least 200 changes (whole transactions): each call is a
     * new decoding session, in which the server announces its relations again.
     */
    private static List<ChangeEvent> drain(Connection c, String name, PgOutputDecoder decoder) throws SQLException {
        List<ChangeEvent> events = new ArrayList<>();
        String sql = "SELECT lsn::text, data FROM pg_logical_slot_get_binary_changes(?, NULL, 200,"
                + " 'proto_version', '1', 'publication_names', ?)";
        while (true) {
            List<Object[]> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, name + "_slot");
                ps.setString(2, name + "_pub");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new Object[] {PgLsn.parse(rs.getString(1)), rs.getBytes(2)});
                    }
                }
            }
            if (rows.isEmpty()) {
                assertThat(decoder.inTransaction()).as("every transaction ends with its Commit").isFalse();
                return events;
            }
            for (Object[] row : rows) {
                events.addAll(decoder.decode((PgLsn) row[0], ByteBuffer.wrap((byte[]) row[1])));
            }
        }
    }

    /** Every source row as {@code to_jsonb} under UTC, by primary key, per table. */
    private static Map<TableId, Map<String, String>> sourceRows(Connection c) throws SQLException {
        Map<TableId, Map<String, String>> rows = new LinkedHashMap<>();
        try (Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
            for (TableId table : KEYS.keySet()) {
                Map<String, String> byKey = new HashMap<>();
                try (ResultSet rs = s.executeQuery("SELECT to_jsonb(r)::text FROM " + table + " r")) {
                    while (rs.next()) {
                        String row = rs.getString(1);
                        byKey.put(key(table, row), CapturedStream.tree(row));
                    }
                }
                rows.put(table, byKey);
            }
        }
        return rows;
    }

    private static void fold(Map<String, String> rows, ChangeEvent event) {
        String row = CapturedStream.tree(event.fullRow());
        if (event.op() == Op.DELETE) {
            assertThat(rows.remove(key(event.table(), event.fullRow()))).as("deleted row %s", row).isEqualTo(row);
        } else {
            rows.put(key(event.table(), event.fullRow()), row);
        }
    }

    private static String key(TableId table, String json) {
        try {
            return keyOf(table, KEY_READER.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    private static String keyOf(TableId table, JsonNode row) {
        return KEYS.get(table).stream().map(column -> row.get(column).asText()).toList().toString();
    }

    private static List<Op> ops(List<ChangeEvent> events, TableId table) {
        return events.stream().filter(e -> e.table().equals(table)).map(ChangeEvent::op).toList();
    }
}
