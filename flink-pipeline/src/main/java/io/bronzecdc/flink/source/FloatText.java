package io.bronzecdc.flink.source;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * A {@code real} or {@code double precision} value as PostgreSQL prints it (12 and later): the shortest decimal
 * that reads back as the same binary value. Java 17's {@code Float.toString} is not always the shortest
 * ({@code 1.17549435E-38} where PostgreSQL prints {@code 1.1754944e-38}), which would change the number in
 * {@code full_row}. NaN and the infinities come back as PostgreSQL's words.
 */
final class FloatText {
    private FloatText() {
    }

    /** The text of a {@link Float} or {@link Double}. */
    static String of(Object value) {
        if (value instanceof Float f) {
            if (f.isNaN() || f.isInfinite()) {
                return special(f);
            }
            for (int digits = 1; digits < 9; digits++) {
                BigDecimal candidate = new BigDecimal(f).round(new MathContext(digits));
                if (candidate.floatValue() == f) {
                    return text(candidate);
                }
            }
            return text(new BigDecimal(f).round(new MathContext(9)));
        }
        double d = ((Number) value).doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return special(d);
        }
        for (int digits = 1; digits < 17; digits++) {
            BigDecimal candidate = new BigDecimal(d).round(new MathContext(digits));
            if (candidate.doubleValue() == d) {
                return text(candidate);
            }
        }
        return text(new BigDecimal(d).round(new MathContext(17)));
    }

    private static String special(double value) {
        return Double.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
    }

    /** JSON number text; a negative zero prints as 0, as in PostgreSQL's jsonb. */
    private static String text(BigDecimal value) {
        return value.signum() == 0 ? "0" : value.toString();
    }
}
