package io.bronzecdc.bench.report;

import java.util.Locale;

/** How the report prints its figures: one place, so the Markdown, the HTML page and the charts agree. */
final class ReportFormat {
    /** What a table shows where a figure is missing (not measured, not applicable, not a number). */
    static final String MISSING = "–";
    private static final double MIB = 1024.0 * 1024.0;

    private ReportFormat() {
    }

    static String text(String value) {
        return value == null || value.isBlank() ? MISSING : value;
    }

    static String count(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    /** A rate (rows/s, changes/s): whole numbers with thousands separators. */
    static String rate(double value) {
        return finite(value) ? String.format(Locale.ROOT, "%,.0f", value) : MISSING;
    }

    static String seconds(double value) {
        if (!finite(value) || value < 0) {
            return MISSING;
        }
        return String.format(Locale.ROOT, value < 10 ? "%.2f" : "%,.1f", value);
    }

    /** Milliseconds; negative means "not measured" in the model. */
    static String millis(double value) {
        if (!finite(value) || value < 0) {
            return MISSING;
        }
        return String.format(Locale.ROOT, value < 10 ? "%.1f" : "%,.0f", value);
    }

    /** A ratio as a percentage, for example {@code 0.1234} as {@code 12.3%}. */
    static String percent(double ratio) {
        return finite(ratio) && ratio > 0 ? String.format(Locale.ROOT, "%.1f%%", ratio * 100) : MISSING;
    }

    /** A ratio of two figures, for example {@code 0.42×}; missing when either side was. */
    static String times(double ratio) {
        return finite(ratio) && ratio > 0 ? String.format(Locale.ROOT, "%.2f×", ratio) : MISSING;
    }

    static String mebibytes(long bytes) {
        return bytes > 0 ? String.format(Locale.ROOT, "%,.0f", bytes / MIB) : MISSING;
    }

    static String gibibytes(long bytes) {
        return bytes > 0 ? String.format(Locale.ROOT, "%.1f GiB", bytes / (MIB * 1024)) : MISSING;
    }

    static double toMebibytes(long bytes) {
        return bytes / MIB;
    }

    static boolean finite(double value) {
        return !Double.isNaN(value) && !Double.isInfinite(value);
    }
}
