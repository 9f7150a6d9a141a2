package io.bronzecdc.model.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.SqlScripts;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The canonical payload equals {@code to_jsonb(row)} of the real server under UTC, for every type and edge of
 * {@code golden-types.sql}, whether the values come through JDBC or as PostgreSQL text output (pgoutput).
 * Compared as the jsonb text the server prints, so 1.50 and 1.5 differ.
 */
class CanonicalPayloadGoldenIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final int ROWS = 5;

    @BeforeAll
    static void createGoldenTable() throws Exception {
        try (Connection c = POSTGRES.connect()) {
            SqlScripts.run(c, "/io/bronzecdc/model/codec/golden-types.sql");
        }
    }

    @ParameterizedTest(name = "row {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void shouldEncodeJdbcValuesExactlyAsToJsonb(int id) throws Exception {
        try (Connection c = POSTGRES.connect()) {
            String expected = expected(c, id);
            String ours;
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM codec_golden WHERE id = ?")) {
                ps.setInt(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    ours = JdbcRowEncoder.of(rs.getMetaData()).encode(rs, new CanonicalRowWriter());
                }
            }
            assertThat(asJsonbText(c, ours)).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "row {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void shouldEncodePgTextOutputExactlyAsToJsonbWhateverTheSessionTimeZone(int id) throws Exception {
        try (Connection c = POSTGRES.connect()) {
            String expected = expected(c, id);
            Map<String, String> types = columnTypes(c);
            try (Statement s = c.createStatement()) {
                // pgoutput prints timestamptz in the sender's time zone: the codec must normalize any offset.
                s.execute("SET TimeZone = 'Asia/Kolkata'");
            }
            List<String> casts = new ArrayList<>();
            // The type's output function, as pgoutput uses it (a cast to text would trim char(n) padding).
            types.keySet().forEach(column -> casts.add(
                    "CASE WHEN " + column + " IS NULL THEN NULL ELSE format('%s', " + column + ") END"));
            CanonicalRowWriter writer = new CanonicalRowWriter().begin();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + String.join(", ", casts) + " FROM codec_golden WHERE id = ?")) {
                ps.setInt(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    int i = 1;
                    for (var column : types.entrySet()) {
                        String typeName = column.getValue();
                        writer.textValue(column.getKey(), PgType.fromTypeName(typeName),
                                PgType.isArrayTypeName(typeName), rs.getString(i++));
                    }
                }
            }
            assertThat(asJsonbText(c, writer.end())).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "row {0}")
    @ValueSource(ints = {2})
    void shouldKeepKeysInColumnOrder(int id) throws Exception {
        try (Connection c = POSTGRES.connect();
                PreparedStatement ps = c.prepareStatement("SELECT id, t, i2 FROM codec_golden WHERE id = ?")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(JdbcRowEncoder.of(rs.getMetaData()).encode(rs, new CanonicalRowWriter()))
                        .startsWith("{\"id\":2,\"t\":\"Zoë").endsWith(",\"i2\":-32768}");
            }
        }
    }

    private static String expected(Connection c, int id) throws SQLException {
        assertThat(id).isBetween(1, ROWS);
        try (Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
            try (ResultSet rs = s.executeQuery("SELECT to_jsonb(g)::text FROM codec_golden g WHERE id = " + id)) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static String asJsonbText(Connection c, String json) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT ?::jsonb::text")) {
            ps.setString(1, json);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static Map<String, String> columnTypes(Connection c) throws SQLException {
        Map<String, String> types = new LinkedHashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
                        + " WHERE a.attrelid = 'codec_golden'::regclass AND a.attnum > 0 AND NOT a.attisdropped"
                        + " ORDER BY a.attnum")) {
            while (rs.next()) {
                types.put(rs.getString(1), rs.getString(2));
            }
        }
        return types;
    }
}
