package io.bronzecdc.model.codec;

import io.bronzecdc.model.ContractViolationException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;

/**
 * Reads PostgreSQL's text output of scalar values (as pgoutput sends them, in ISO DateStyle) into their
 * canonical form. Malformed text fails with a {@link ContractViolationException} that quotes it and names the
 * column.
 */
final class PgTextValues {
    private static final String TIMESTAMPTZ = "a timestamptz (YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM[:SS]][ BC])";
    private PgTextValues() {
    }

    static long integer(String text, String column) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw malformed("an integer", text, column);
        }
    }

    static boolean isSpecialNumber(String text) {
        return text.equals("NaN") || text.equals("Infinity") || text.equals("-Infinity");
    }

    static String number(String text, String column) {
        if (!isJsonNumber(text)) {
            throw malformed("a number", text, column);
        }
        return text;
    }

    /** {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}, checked by hand: this runs once per value. */
    static boolean isJsonNumber(String s) {
        int n = s.length();
        int i = s.startsWith("-") ? 1 : 0;
        if (i < n && s.charAt(i) == '0') {
            i++;
        } else {
            int start = i;
            i = digits(s, i);
            if (i == start) {
                return false;
            }
        }
        if (i < n && s.charAt(i) == '.') {
            int start = ++i;
            i = digits(s, i);
            if (i == start) {
                return false;
            }
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int start = i;
            i = digits(s, i);
            if (i == start) {
                return false;
            }
        }
        return i == n;
    }

    private static int digits(String s, int from) {
        int i = from;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    static boolean bool(String text, String column) {
        return switch (text) {
            case "t", "true" -> true;
            case "f", "false" -> false;
            default -> throw malformed("a boolean (t or f)", text, column);
        };
    }

    /** {@code 2022-01-29 01:58:52.2} to {@code 2022-01-29T01:58:52.2} ({@code " BC"} kept at the end). */
    static String timestamp(String text, String column) {
        if (isInfinity(text)) {
            return text;
        }
        int space = text.indexOf(' ');
        if (space < 0) {
            throw malformed("a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff][ BC])", text, column);
        }
        return text.substring(0, space) + 'T' + text.substring(space + 1);
    }

    /** {@code 2022-01-29 02:58:52.2+01} to {@code 2022-01-29T01:58:52.2+00:00}. */
    static String timestamptz(String text, String column) {
        return isInfinity(text) ? text : PgTemporal.timestamptz(instant(text, column));
    }

    /** {@code 2022-01-29 02:58:52.2+01} to {@code 2022-01-29 01:58:52.2+00}: the text output under UTC. */
    static String timestamptzText(String text, String column) {
        return isInfinity(text) ? text : PgTemporal.timestamptzText(instant(text, column));
    }

    private static Instant instant(String text, String column) {
        Instant fast = isoInstant(text);
        if (fast != null) {
            return fast;
        }
        try {
            boolean bc = text.endsWith(" BC");
            String ad = bc ? text.substring(0, text.length() - 3) : text;
            int space = ad.indexOf(' ');
            int offsetStart = Math.max(ad.lastIndexOf('+'), ad.lastIndexOf('-'));
            if (space < 0 || offsetStart < space) {
                throw malformed(TIMESTAMPTZ, text, column);
            }
            LocalDate date = date(ad.substring(0, space), bc);
            LocalTime time = LocalTime.parse(ad.substring(space + 1, offsetStart));
            ZoneOffset offset = offset(ad.substring(offsetStart));
            return LocalDateTime.of(date, time).toInstant(offset);
        } catch (RuntimeException e) {
            if (e instanceof ContractViolationException cve) {
                throw cve;
            }
            throw malformed(TIMESTAMPTZ, text, column);
        }
    }

    /**
     * The common shape, {@code YYYY-MM-DD HH:MM:SS[.f{1,6}]+HH[:MM[:SS]]} (a four-digit year of our era), read by
     * hand: {@link LocalTime#parse} was the largest cost of a snapshot (JFR, docs/profiling). Anything else (BC,
     * longer years, malformed text) gives null and goes through the general path, which also words the errors.
     */
    private static Instant isoInstant(String text) {
        int n = text.length();
        if (n < 22 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != ' '
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        if ((year | month | day | hour | minute | second) < 0 || year < 1 || month < 1 || month > 12 || day < 1
                || day > 31 || hour > 23 || minute > 59 || second > 59) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (text.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 9 && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                nanos = nanos * 10 + text.charAt(i) - '0';
                i++;
            }
            if (i == start) {
                return null;
            }
            for (int k = i - start; k < 9; k++) {
                nanos *= 10;
            }
        }
        if (i + 3 > n || (text.charAt(i) != '+' && text.charAt(i) != '-')) {
            return null;
        }
        int sign = text.charAt(i) == '-' ? -1 : 1;
        int offsetSeconds = 0;
        for (int unit = 3600; unit >= 1 && i < n; unit /= 60) {
            if ((unit != 3600 && text.charAt(i) != ':') || i + 3 > n) {
                return null;
            }
            int part = digits(text, i + 1, i + 3);
            if (part < 0 || (unit != 3600 && part > 59)) {
                return null;
            }
            offsetSeconds += part * unit;
            i += 3;
        }
        if (i != n || offsetSeconds > 18 * 3600 || day > LocalDate.of(year, month, 1).lengthOfMonth()) {
            return null;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        long epochSecond = epochDay * 86_400 + hour * 3_600L + minute * 60L + second - sign * (long) offsetSeconds;
        return Instant.ofEpochSecond(epochSecond, nanos);
    }

    /** The number in {@code text[from, to)}, all decimal digits, or -1. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + c - '0';
        }
        return value;
    }

    private static LocalDate date(String text, boolean bc) {
        int lastDash = text.lastIndexOf('-');
        int monthDash = text.lastIndexOf('-', lastDash - 1);
        int year = Integer.parseInt(text.substring(0, monthDash));
        return LocalDate.of(bc ? 1 - year : year,
                Integer.parseInt(text.substring(monthDash + 1, lastDash)),
                Integer.parseInt(text.substring(lastDash + 1)));
    }

    private static ZoneOffset offset(String text) {
        int sign = text.charAt(0) == '-' ? -1 : 1;
        String[] parts = text.substring(1).split(":");
        int hours = Integer.parseInt(parts[0]);
        int minutes = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        int seconds = parts.length > 2 ? Integer.parseInt(parts[2]) : 0;
        return ZoneOffset.ofTotalSeconds(sign * (hours * 3600 + minutes * 60 + seconds));
    }

    private static boolean isInfinity(String text) {
        return text.equals(PgTemporal.INFINITY) || text.equals(PgTemporal.MINUS_INFINITY);
    }

    private static ContractViolationException malformed(String expected, String text, String column) {
        return new ContractViolationException("column " + column + ": expected PostgreSQL text output of "
                + expected + " but found '" + text + "'. Check that the server's DateStyle is ISO");
    }
}
