package io.bronzecdc.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.testing.PostgresExtension;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link FloatText} prints exactly what the server's {@code to_jsonb} prints for {@code double precision} and
 * {@code real}, on seeded random values of every magnitude (random bits, subnormals included), short decimals,
 * integers, powers of ten and two, and the edges (plain notation: no {@code 1E+2}).
 */
class FloatTextIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @Test
    void doublesPrintAsToJsonbPrintsThem() throws SQLException {
        long seed = Long.getLong("test.seed", System.nanoTime());
        System.out.println("FloatTextIT doubles seed " + seed + " (rerun with -Dtest.seed=" + seed + ")");
        Random random = new Random(seed);
        List<Double> values = new ArrayList<>(List.of(0.0, -0.0, 1.0, -1.0, 100.0, 1e2, 0.1, 0.3, 1e-5, 1.5e-5, 1e15,
                1e16, 1e17, 123456789012345678.0, 1e22, 1e100, -1e-100, Double.MIN_VALUE, Double.MAX_VALUE,
                Double.MIN_NORMAL, 2.2250738585072009e-308, 4.9e-324, 9007199254740993.0, 0.30000000000000004,
                5e-324, 1.7976931348623157e308, 2.0 / 3, 1e-4, 1e-3, 123.456, 1e14, 1e-7));
        for (int i = 0; i < 20_000; i++) {
            values.add(switch (i % 5) {
                case 0 -> Double.longBitsToDouble(random.nextLong());
                case 1 -> (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(60) - 30);
                case 2 -> Math.round(random.nextDouble() * 1e6) / Math.pow(10, random.nextInt(8));
                case 3 -> (double) random.nextInt();
                default -> Math.scalb(1.0, random.nextInt(2000) - 1000) * (random.nextBoolean() ? 1 : -1);
            });
        }
        values.removeIf(v -> v.isNaN() || v.isInfinite());
        assertSameAsServer(values, "float8", Object::toString, seed);
    }

    @Test
    void realsPrintAsToJsonbPrintsThem() throws SQLException {
        long seed = Long.getLong("test.seed", System.nanoTime());
        System.out.println("FloatTextIT reals seed " + seed + " (rerun with -Dtest.seed=" + seed + ")");
        Random random = new Random(seed);
        List<Float> values = new ArrayList<>(List.of(0f, -0f, 1f, 100f, 0.1f, 1e-5f, 1.5e-5f, 1e6f, 1e7f, 1e10f,
                Float.MIN_VALUE, Float.MAX_VALUE, Float.MIN_NORMAL, 1.17549435E-38f, 16777217f, 3.4028235e38f,
                123.456f, 1e-4f, 1e-3f, 2f / 3));
        for (int i = 0; i < 20_000; i++) {
            values.add(switch (i % 4) {
                case 0 -> Float.intBitsToFloat(random.nextInt());
                case 1 -> (float) ((random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(30) - 15));
                case 2 -> (float) (Math.round(random.nextDouble() * 1e5) / Math.pow(10, random.nextInt(6)));
                default -> Math.scalb(1f, random.nextInt(270) - 140);
            });
        }
        values.removeIf(v -> v.isNaN() || v.isInfinite());
        assertSameAsServer(values, "float4", Object::toString, seed);
    }

    @Test
    void specialValuesAreThePostgresWords() {
        assertThat(FloatText.of(Double.NaN)).isEqualTo("NaN");
        assertThat(FloatText.of(Double.POSITIVE_INFINITY)).isEqualTo("Infinity");
        assertThat(FloatText.of(Float.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
    }

    private static <T> void assertSameAsServer(List<T> values, String type, Function<T, String> javaText, long seed)
            throws SQLException {
        List<String> texts = values.stream().map(javaText).toList();
        List<String> expected = new ArrayList<>();
        try (Connection c = POSTGRES.connect();
                PreparedStatement ps = c.prepareStatement("SELECT to_jsonb(x::" + type + ")::text FROM"
                        + " unnest(?::text[]) WITH ORDINALITY AS u(x, i) ORDER BY i")) {
            Array array = c.createArrayOf("text", texts.toArray());
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    expected.add(rs.getString(1));
                }
            }
        }
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            String ours = FloatText.of(values.get(i));
            if (!ours.equals(expected.get(i))) {
                mismatches.add(type + " " + texts.get(i) + ": to_jsonb " + expected.get(i) + " but ours " + ours);
            }
        }
        assertThat(mismatches).as("seed %d", seed).isEmpty();
    }
}
