package io.bronzecdc.model.codec;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;

/**
 * Date and time values in the form {@code to_jsonb} gives them: {@code T} between date and time, fractional
 * seconds up to microseconds without trailing zeros; timestamptz always in UTC with offset {@code +00:00}, as
 * the contract fixes {@code TimeZone = 'UTC'}; timetz with its own offset as PostgreSQL prints it
 * ({@code +05}, {@code +05:30}, {@code -00:53:28}). Years before the common era are printed as PostgreSQL prints
 * them: the year counted back from 1 BC and {@code " BC"} at the end ({@code 0044-03-15T12:00:00 BC}).
 */
final class PgTemporal {
    static final String INFINITY = "infinity";
    static final String MINUS_INFINITY = "-infinity";

    private PgTemporal() {
    }

    static String date(LocalDate date) {
        if (date.equals(LocalDate.MAX)) {
            return INFINITY;
        }
        if (date.equals(LocalDate.MIN)) {
            return MINUS_INFINITY;
        }
        StringBuilder sb = new StringBuilder(13);
        appendDate(sb, date);
        return era(sb, date).toString();
    }

    static String time(LocalTime time) {
        StringBuilder sb = new StringBuilder(15);
        appendTime(sb, time.getHour(), time.getMinute(), time.getSecond(), time.getNano() / 1_000);
        return sb.toString();
    }

    static String timetz(OffsetTime time) {
        StringBuilder sb = new StringBuilder(21);
        appendTime(sb, time.getHour(), time.getMinute(), time.getSecond(), time.getNano() / 1_000);
        appendOffset(sb, time.getOffset());
        return sb.toString();
    }

    static String timestamp(LocalDateTime timestamp) {
        if (timestamp.equals(LocalDateTime.MAX)) {
            return INFINITY;
        }
        if (timestamp.equals(LocalDateTime.MIN)) {
            return MINUS_INFINITY;
        }
        StringBuilder sb = new StringBuilder(26);
        appendDate(sb, timestamp.toLocalDate());
        sb.append('T');
        appendTime(sb, timestamp.getHour(), timestamp.getMinute(), timestamp.getSecond(), timestamp.getNano() / 1_000);
        return era(sb, timestamp.toLocalDate()).toString();
    }

    static String timestamptz(OffsetDateTime timestamp) {
        if (timestamp.equals(OffsetDateTime.MAX)) {
            return INFINITY;
        }
        if (timestamp.equals(OffsetDateTime.MIN)) {
            return MINUS_INFINITY;
        }
        return timestamptz(timestamp.toInstant());
    }

    static String timestamptz(Instant instant) {
        LocalDateTime utc = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(32);
        appendDate(sb, utc.toLocalDate());
        sb.append('T');
        appendTime(sb, utc.getHour(), utc.getMinute(), utc.getSecond(), utc.getNano() / 1_000);
        sb.append("+00:00");
        return era(sb, utc.toLocalDate()).toString();
    }

    /** timestamptz as PostgreSQL's text output under {@code TimeZone = 'UTC'}: {@code 2022-01-29 01:58:52.2+00}. */
    static String timestamptzText(Instant instant) {
        LocalDateTime utc = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(32);
        appendDate(sb, utc.toLocalDate());
        sb.append(' ');
        appendTime(sb, utc.getHour(), utc.getMinute(), utc.getSecond(), utc.getNano() / 1_000);
        sb.append("+00");
        return era(sb, utc.toLocalDate()).toString();
    }

    private static void appendDate(StringBuilder sb, LocalDate date) {
        int year = date.getYear();
        pad(sb, year < 1 ? 1 - year : year, 4).append('-');
        pad(sb, date.getMonthValue(), 2).append('-');
        pad(sb, date.getDayOfMonth(), 2);
    }

    private static StringBuilder era(StringBuilder sb, LocalDate date) {
        return date.getYear() < 1 ? sb.append(" BC") : sb;
    }

    private static void appendTime(StringBuilder sb, int hour, int minute, int second, int micros) {
        pad(sb, hour, 2).append(':');
        pad(sb, minute, 2).append(':');
        pad(sb, second, 2);
        if (micros != 0) {
            int digits = 6;
            while (micros % 10 == 0) {
                micros /= 10;
                digits--;
            }
            sb.append('.');
            pad(sb, micros, digits);
        }
    }

    private static void appendOffset(StringBuilder sb, ZoneOffset offset) {
        int total = offset.getTotalSeconds();
        sb.append(total < 0 ? '-' : '+');
        total = Math.abs(total);
        pad(sb, total / 3600, 2);
        if (total % 3600 != 0) {
            sb.append(':');
            pad(sb, total / 60 % 60, 2);
        }
        if (total % 60 != 0) {
            sb.append(':');
            pad(sb, total % 60, 2);
        }
    }

    private static StringBuilder pad(StringBuilder sb, int value, int width) {
        int length = 1;
        for (int rest = value / 10; rest != 0; rest /= 10) {
            length++;
        }
        for (int i = value < 0 ? length + 1 : length; i < width; i++) {
            sb.append('0');
        }
        return sb.append(value); // appends the digits without a String in between
    }
}
