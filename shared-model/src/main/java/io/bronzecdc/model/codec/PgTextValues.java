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
