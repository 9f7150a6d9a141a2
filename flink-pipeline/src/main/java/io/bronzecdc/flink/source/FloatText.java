package io.bronzecdc.flink.source;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * A {@code real} or {@code double precision} value as PostgreSQL's {@code to_jsonb} prints it (12 and later): the
 * shortest decimal strictly nearer to the value than to its neighbours (what {@code float4out}/{@code float8out}
 * print, the nearest one when several are as short), in plain notation, as {@code to_jsonb} stores it as a
 * {@code numeric}: {@code 1e+100} prints as 1 and 100 zeros, {@code 1.5e-05} as {@code 0.000015}, never
 * {@code 1E+2}. Java 17's {@code Float.toString} is not always the shortest ({@code 1.17549435E-38} where
 * PostgreSQL prints {@code 1.1754944e-38}), and a value half-way between two floats reads back as one of them in
 * Java but is not PostgreSQL's output. NaN and the infinities come back as PostgreSQL's words.
 */
final class FloatText {
    private static final BigDecimal HALF = new BigDecimal("0.5");
    private static final int FLOAT_DIGITS = 9;
    private static final int DOUBLE_DIGITS = 17;

    private FloatText() {
    }

    /** The text of a {@link Float} or {@link Double}. */
    static String of(Object value) {
        if (value instanceof Float f) {
            float v = Math.abs(f);
            if (Float.isNaN(v) || Float.isInfinite(f)) {
                return special(f);
            }
            if (v == 0) {
                return "0";
            }
            BigDecimal low = new BigDecimal(Math.nextDown(v));
            BigDecimal high = v == Float.MAX_VALUE ? null : new BigDecimal(Math.nextUp(v));
            return text(f < 0, shortest(new BigDecimal(v), low, high, digits(Float.toString(v)), FLOAT_DIGITS));
        }
        double d = ((Number) value).doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return special(d);
        }
        double v = Math.abs(d);
        if (v == 0) {
            return "0";
        }
        BigDecimal low = new BigDecimal(Math.nextDown(v));
        BigDecimal high = v == Double.MAX_VALUE ? null : new BigDecimal(Math.nextUp(v));
        return text(d < 0, shortest(new BigDecimal(v), low, high, digits(Double.toString(v)), DOUBLE_DIGITS));
    }

    /**
     * The shortest decimal strictly between the midpoints to the neighbours {@code below} and {@code above} (null:
     * none, the largest finite value), the nearest to {@code exact} of that length. Java's own text has about as
     * many digits ({@code javaDigits}), so the search starts just above it and goes down while some decimal of the
     * length fits: the lengths that fit are all those from the shortest up.
     */
    private static BigDecimal shortest(BigDecimal exact, BigDecimal below, BigDecimal above, int javaDigits,
            int maxDigits) {
        BigDecimal low = exact.add(below).multiply(HALF);
        BigDecimal high = above == null ? exact.add(exact.subtract(low)) : exact.add(above).multiply(HALF);
        BigDecimal found = search(exact, low, high, Math.min(maxDigits, javaDigits + 1));
        return found != null ? found : search(exact, low, high, maxDigits);
    }

    /** The shortest fitting decimal of at most {@code from} digits, or null when none of {@code from} digits fits. */
    private static BigDecimal search(BigDecimal exact, BigDecimal low, BigDecimal high, int from) {
        BigDecimal best = null;
        for (int digits = from; digits >= 1; digits--) {
            BigDecimal down = exact.round(new MathContext(digits, RoundingMode.DOWN));
            BigDecimal up = exact.round(new MathContext(digits, RoundingMode.UP));
            boolean downFits = down.compareTo(low) > 0;
            boolean upFits = up.compareTo(high) < 0;
            if (!downFits && !upFits) {
                break;
            }
            best = downFits && upFits ? exact.round(new MathContext(digits, RoundingMode.HALF_EVEN))
                    : downFits ? down : up;
        }
        return best;
    }

    /** The significant digits of Java's text of a positive finite value ({@code 1.0E10}: 1). */
    private static int digits(String javaText) {
        return new BigDecimal(javaText).stripTrailingZeros().precision();
    }

    private static String special(double value) {
        return Double.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
    }

    /** Plain notation without trailing zeros after the point, as the jsonb numeric prints it. */
    private static String text(boolean negative, BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        String plain = (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
        return negative ? "-" + plain : plain;
    }
}
