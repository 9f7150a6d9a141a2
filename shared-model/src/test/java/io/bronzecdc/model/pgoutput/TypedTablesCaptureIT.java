package io.bronzecdc.model.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.PgTypeCatalog;
import io.bronzecdc.model.source.SourceCatalog;
import io.bronzecdc.model.source.SnapshotReader;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.RandomTypedTables;
import io.bronzecdc.model.testing.TypedWorkload;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every type of the typed-table kit, captured through a real pgoutput slot and through the JDBC snapshot path,
 * renders exactly as {@code to_jsonb} of the source row under UTC (compared as jsonb text, so 1.50 differs from 1.5).
 * Seeded: one fixed seed and two fresh ones per run; a failure names its seed and the tables it made.
 */
class TypedTablesCaptureIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    static List<Long> seeds() {
        return List.of(20_261_201L, System.nanoTime(), System.nanoTime() + 1);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void shouldDecodeEveryChangeOfEveryTypeExactlyAsToJsonb(long seed) throws Exception {
        String name = "cap_" + Long.toUnsignedString(seed, 36);
        try (Connection c = POSTGRES.connect(); Connection work = POSTGRES.connect()) {
            RandomTypedTables tables = RandomTypedTables.create(c, name, seed, 4, t -> true);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE PUBLICATION " + name + "_pub FOR TABLE " + tables.tableList());
                s.execute("SELECT pg_create_logical_replication_slot('" + name + "_slot', 'pgoutput')");
                // The sender prints timestamptz in its own zone: the codec must bring every one back to UTC.
                s.execute("SET TimeZone = 'Asia/Kathmandu'");
            }
            TypedWorkload workload = new TypedWorkload(work, tables, seed).populate(3).run(50);

            List<ChangeEvent> events = new ArrayList<>();
            PgOutputDecoder decoder = new PgOutputDecoder(tables.ids()::contains, new PgTypeCatalog(c),
                    SourceCatalog.updateRules(c, tables.ids())::get);
            try (PreparedStatement ps = c.prepareStatement("SELECT lsn::text, data FROM"
                    + " pg_logical_slot_peek_binary_changes(?, NULL, NULL, 'proto_version', '1', 'publication_names', ?)")) {
                ps.setString(1, name + "_slot");
                ps.setString(2, name + "_pub");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        events.addAll(decoder.decode(PgLsn.parse(rs.getString(1)), ByteBuffer.wrap(rs.getBytes(2))));
                    }
                }
            }

            String context = tables.describe();
            List<TypedWorkload.Change> expected = workload.changes();
            assertThat(events).as(context).hasSameSizeAs(expected);
            for (int i = 0; i < events.size(); i++) {
                ChangeEvent e = events.get(i);
                TypedWorkload.Change w = expected.get(i);
                String at = "seed " + seed + ", change " + i + " (" + w.op() + " " + w.table() + " id " + w.id() + ")";
                assertThat(e.table() + " " + e.op()).as(at).isEqualTo(w.table() + " " + w.op());
                assertThat(e.position().txId()).as(at).isEqualTo(w.xid());
                assertSameJsonb(c, at, e.fullRow(), w.json(), context);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void shouldSnapshotEveryRowOfEveryTypeExactlyAsToJsonb(long seed) throws Exception {
        String name = "snap_" + Long.toUnsignedString(seed, 36);
        try (Connection c = POSTGRES.connect(); Connection work = POSTGRES.connect()) {
            RandomTypedTables tables = RandomTypedTables.create(c, name, seed, 4, t -> true);
            new TypedWorkload(work, tables, seed).populate(6).run(30);
            String context = tables.describe();
            for (TableId table : tables.ids()) {
                SortedMap<Long, String> expected = RandomTypedTables.sourceRows(c, table);
                try (Statement s = c.createStatement()) {
                    s.execute("SET TimeZone = 'America/St_Johns'");
                }
                SortedMap<Long, String> ours = new TreeMap<>();
                SnapshotReader.read(c, table, PgLsn.ZERO, change -> ours.put(id(change.fullRow()), change.fullRow()));
                assertThat(ours.keySet()).as("seed %d, %s", seed, table).isEqualTo(expected.keySet());
                for (long id : expected.keySet()) {
                    assertSameJsonb(c, "seed " + seed + ", snapshot of " + table + " id " + id, ours.get(id),
                            expected.get(id), context);
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void shouldRefuseAUserTypeWithItsOwnCastToJsonNamingTableColumnAndType() throws Exception {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TYPE json_cast_mood AS ENUM ('sad', 'ok');"
                    + " CREATE FUNCTION json_cast_mood_json(m json_cast_mood) RETURNS json"
                    + "  AS $$ SELECT json_build_object('mood', m::text) $$ LANGUAGE sql IMMUTABLE;"
                    + " CREATE CAST (json_cast_mood AS json) WITH FUNCTION json_cast_mood_json(json_cast_mood);"
                    + " CREATE TABLE json_cast (id bigint PRIMARY KEY, m json_cast_mood);"
                    + " INSERT INTO json_cast VALUES (1, NULL), (2, 'ok')");

            assertThatThrownBy(() -> SnapshotReader.read(c, TableId.of("json_cast"), PgLsn.ZERO, change -> { }))
                    .isInstanceOf(io.bronzecdc.model.ContractViolationException.class)
                    .hasMessageContaining("public.json_cast")
                    .hasMessageContaining("column m (type public.json_cast_mood)")
                    .hasMessageContaining("cast to json (function json_cast_mood_json)");
        }
    }

    private static long id(String fullRow) {
        int start = fullRow.indexOf("\"id\":") + 5;
        int end = start;
        while (end < fullRow.length() && Character.isDigit(fullRow.charAt(end))) {
            end++;
        }
        return Long.parseLong(fullRow.substring(start, end));
    }

    /** Ours, stored as jsonb, prints exactly as the server's to_jsonb text; on a difference names each key. */
    private static void assertSameJsonb(Connection c, String at, String ours, String expected, String context)
            throws SQLException {
        String stored;
        List<String> differences = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT ?::jsonb::text")) {
            ps.setString(1, ours);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                stored = rs.getString(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(at + ": not valid jsonb: " + ours + " (" + e.getMessage() + ")\n" + context, e);
        }
        if (stored.equals(expected)) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT e.key, e.value::text, o.value::text"
                + " FROM jsonb_each(?::jsonb) e FULL JOIN jsonb_each(?::jsonb) o USING (key)"
                + " WHERE e.value::text IS DISTINCT FROM o.value::text")) {
            ps.setString(1, expected);
            ps.setString(2, ours);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    differences.add(rs.getString(1) + ": to_jsonb " + rs.getString(2) + " but ours " + rs.getString(3));
                }
            }
        }
        throw new AssertionError(at + ": full_row differs from to_jsonb:\n  " + String.join("\n  ", differences)
                + "\n" + context);
    }
}
