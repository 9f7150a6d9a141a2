package io.bronzecdc.model.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.testing.PostgresExtension;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * timestamptz text, as the server prints it in any session time zone, becomes exactly what {@code to_jsonb} prints
 * under UTC ({@link PgTextValues#timestamptz}) and the text output under UTC ({@link PgTextValues#timestamptzText}),
 * on seeded random instants (years 4713 BC to 20000 AD, microseconds) and edge values, in zones whose offsets have
 * minutes and seconds (local mean time before 1900), so the hand-written fast path and the general one both hold.
 */
class TimestamptzTextIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final List<String> ZONES = List.of("UTC", "Europe/Amsterdam", "Asia/Kolkata", "America/St_Johns",
            "Pacific/Kiritimati", "Asia/Kathmandu", "America/Los_Angeles", "Pacific/Pago_Pago", "Africa/Monrovia",
            "Europe/Moscow");
    private static final long MICROS_PER_YEAR = 31_556_952_000_000L;
    /** Microseconds from 1970 to 4713-11-24 BC and to 20000-01-01 AD, about. */
    private static final long MIN_MICROS = -210_866_760_000_000_000L;

    @Test
    void randomInstantsInEveryZoneRenderAsTheServerDoes() throws SQLException {
        long seed = Long.getLong("test.seed", System.nanoTime());
        System.out.println("TimestamptzTextIT seed " + seed + " (rerun with -Dtest.seed=" + seed + ")");
        Random random = new Random(seed);
        List<Long> micros = new ArrayList<>(List.of(0L, -1L, 1L, 946_684_799_999_999L, -62_135_596_800_000_000L,
                -62_135_596_800_000_001L, -62_135_596_799_999_999L, MIN_MICROS, 253_402_300_799_999_999L,
                253_402_300_800_000_000L));
        for (int i = 0; i < 20_000; i++) {
            int kind = random.nextInt(20);
            long span = kind < 14 ? 200 * MICROS_PER_YEAR : kind < 18 ? 8_000 * MICROS_PER_YEAR
                    : 20_000 * MICROS_PER_YEAR;
            long base = kind < 14 ? -70 * MICROS_PER_YEAR : kind < 18 ? -1_969 * MICROS_PER_YEAR
                    : -6_700 * MICROS_PER_YEAR;
            long value = base + (long) (random.nextDouble() * span);
            value = switch (random.nextInt(4)) {
                case 0 -> value - Math.floorMod(value, 1_000_000L); // whole seconds
                case 1 -> value - Math.floorMod(value, 1_000L); // milliseconds
                default -> value;
            };
            micros.add(Math.max(MIN_MICROS, value));
        }
        try (Connection c = POSTGRES.connect()) {
            List<String> expectedJson = render(c, "UTC", micros, "to_jsonb(v)::text");
            List<String> expectedText = render(c, "UTC", micros, "v::text");
            for (String zone : ZONES) {
                List<String> texts = render(c, zone, micros, "v::text");
                List<String> mismatches = new ArrayList<>();
                for (int i = 0; i < micros.size(); i++) {
                    String json = expectedJson.get(i);
                    String oursJson = '"' + PgTextValues.timestamptz(texts.get(i), "c") + '"';
                    String oursText = PgTextValues.timestamptzText(texts.get(i), "c");
                    if (!oursJson.equals(json) || !oursText.equals(expectedText.get(i))) {
                        mismatches.add(zone + " '" + texts.get(i) + "': to_jsonb " + json + ", text "
                                + expectedText.get(i) + " but ours " + oursJson + ", " + oursText);
                    }
                }
                assertThat(mismatches).as("seed %d, zone %s", seed, zone).isEmpty();
            }
            assertThat(render(c, "Asia/Kolkata", List.of(0L), "v::text")).containsExactly("1970-01-01 05:30:00+05:30");
        }
    }

    @Test
    void infinityStaysAsItIs() {
        assertThat(PgTextValues.timestamptz("infinity", "c")).isEqualTo("infinity");
        assertThat(PgTextValues.timestamptz("-infinity", "c")).isEqualTo("-infinity");
    }

    /** {@code expression} of {@code v}, each instant as a timestamptz, with the session's TimeZone {@code zone}. */
    private static List<String> render(Connection c, String zone, List<Long> micros, String expression)
            throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET TimeZone = '" + zone + "'");
        }
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + expression + " FROM (SELECT timestamptz"
                + " '1970-01-01 00:00:00+00' + m * interval '1 microsecond' AS v, i FROM unnest(?::bigint[])"
                + " WITH ORDINALITY AS u(m, i)) t ORDER BY i")) {
            Array array = c.createArrayOf("bigint", micros.toArray());
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
