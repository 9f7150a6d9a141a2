package io.bronzecdc.model.testing;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;

/** Seeded random values as PostgreSQL input text (not yet quoted), for {@link ColumnTypes}. */
final class RandomValues {
    /** Letters plus the characters that need quoting in array, composite, hstore and JSON text. */
    private static final String ALPHABET = "abcxyzABC019 _-.,;:{}()[]\"'\\/=>@#$%&*+!?|~`^é€ßØ日本語🙂\t\n";

    private RandomValues() {
    }

    static String text(Random r, int maxLength) {
        int length = r.nextInt(maxLength + 1);
        StringBuilder sb = new StringBuilder(length);
        while (sb.codePointCount(0, sb.length()) < length) {
            int i = r.nextInt(ALPHABET.length());
            int cp = ALPHABET.codePointAt(Character.isLowSurrogate(ALPHABET.charAt(i)) ? i - 1 : i);
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    static String word(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0, n = 1 + r.nextInt(8); i < n; i++) {
            sb.append((char) ('a' + r.nextInt(26)));
        }
        return sb.toString();
    }

    static String numeric(Random r) {
        BigInteger unscaled = new BigInteger(1 + r.nextInt(120), r);
        if (r.nextBoolean()) {
            unscaled = unscaled.negate();
        }
        return new BigDecimal(unscaled, r.nextInt(30) - 5).toPlainString();
    }

    static String float8(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> Double.toString(Double.longBitsToDouble(r.nextLong()));
            case 1 -> Double.toString(r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20));
            default -> Integer.toString(r.nextInt(2000) - 1000);
        };
    }

    static String float4(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> Float.toString(Float.intBitsToFloat(r.nextInt()));
            case 1 -> Float.toString((float) (r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10)));
            default -> Integer.toString(r.nextInt(2000) - 1000);
        };
    }

    static String money(Random r) {
        long cents = r.nextLong() % 9_000_000_000_000_000L;
        return BigDecimal.valueOf(cents, 2).toPlainString();
    }

    static String bytea(Random r) {
        byte[] bytes = new byte[r.nextInt(40)];
        r.nextBytes(bytes);
        return "\\x" + HexFormat.of().formatHex(bytes);
    }

    /** A date from 4712 BC to 9999 AD (PostgreSQL's Julian-day range starts at 4713 BC). */
    static LocalDate localDate(Random r) {
        long from = LocalDate.of(-4711, 1, 1).toEpochDay();
        long to = r.nextInt(5) == 0 ? LocalDate.of(200_000, 1, 1).toEpochDay() : LocalDate.of(9999, 12, 31).toEpochDay();
        if (r.nextBoolean()) {
            from = LocalDate.of(1900, 1, 1).toEpochDay();
            to = LocalDate.of(2100, 1, 1).toEpochDay();
        }
        return LocalDate.ofEpochDay(from + (long) (r.nextDouble() * (to - from)));
    }

    /** PostgreSQL date input: {@code 2022-02-14}, {@code 0044-03-15 BC}. */
    static String date(LocalDate date) {
        int year = date.getYear();
        return pad(year > 0 ? year : 1 - year, 4) + "-" + pad(date.getMonthValue(), 2) + "-"
                + pad(date.getDayOfMonth(), 2) + (year > 0 ? "" : " BC");
    }

    static LocalTime localTime(Random r) {
        LocalTime t = LocalTime.ofNanoOfDay((r.nextLong() & Long.MAX_VALUE) % 86_400_000_000L * 1_000);
        return switch (r.nextInt(3)) {
            case 0 -> t.withNano(0);
            case 1 -> t.withNano(r.nextInt(10) * 100_000_000);
            default -> t;
        };
    }

    static String time(LocalTime t) {
        return t.toString().length() == 5 ? t + ":00" : t.toString();
    }

    /** A UTC offset PostgreSQL accepts (up to 15:59:59), mostly whole hours. */
    static String offset(Random r) {
        int seconds = switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> (r.nextInt(31) - 15) * 3600;
            case 2 -> (r.nextInt(31) - 15) * 3600 + 1800 * Integer.signum(r.nextInt(3) - 1);
            default -> r.nextInt(2 * 57_599) - 57_599;
        };
        int abs = Math.abs(seconds);
        String text = (seconds < 0 ? "-" : "+") + pad(abs / 3600, 2) + ":" + pad(abs / 60 % 60, 2);
        return abs % 60 == 0 ? text : text + ":" + pad(abs % 60, 2);
    }

    /** PostgreSQL timestamp input, BC dates included. */
    static String timestamp(Random r) {
        LocalDateTime ts = LocalDateTime.of(localDate(r), localTime(r));
        String date = date(ts.toLocalDate());
        String bc = date.endsWith(" BC") ? " BC" : "";
        return date.replace(" BC", "") + " " + time(ts.toLocalTime()) + bc;
    }

    static String timestamptz(Random r) {
        String ts = timestamp(r);
        return ts.endsWith(" BC") ? ts.replace(" BC", offset(r) + " BC") : ts + offset(r);
    }

    static String interval(Random r) {
        return (r.nextInt(20000) - 10000) + " years " + (r.nextInt(25) - 12) + " mons " + (r.nextInt(2000) - 1000)
                + " days " + (r.nextInt(200) - 100) + ":" + r.nextInt(60) + ":" + r.nextInt(60) + "."
                + r.nextInt(1_000_000);
    }

    static String uuid(Random r) {
        return new UUID(r.nextLong(), r.nextLong()).toString();
    }

    static String json(Random r, int depth) {
        return switch (depth <= 0 ? r.nextInt(4) : r.nextInt(6)) {
            case 0 -> "null";
            case 1 -> Boolean.toString(r.nextBoolean());
            case 2 -> r.nextBoolean() ? numeric(r) : numeric(r) + "e" + (r.nextInt(20) - 10);
            case 3 -> jsonString(text(r, 8));
            case 4 -> {
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0, n = r.nextInt(4); i < n; i++) {
                    sb.append(i == 0 ? "" : ", ").append(json(r, depth - 1));
                }
                yield sb.append(']').toString();
            }
            default -> {
                StringBuilder sb = new StringBuilder("{");
                for (int i = 0, n = r.nextInt(4); i < n; i++) {
                    sb.append(i == 0 ? "" : ",").append(jsonString(text(r, 5))).append(": ").append(json(r, depth - 1));
                }
                yield sb.append('}').toString();
            }
        };
    }

    static String jsonString(String text) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    static String inet(Random r) {
        if (r.nextBoolean()) {
            String v4 = r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + r.nextInt(256);
            return r.nextBoolean() ? v4 : v4 + "/" + r.nextInt(33);
        }
        StringBuilder v6 = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            v6.append(i == 0 ? "" : ":").append(Integer.toHexString(r.nextInt(65536)));
        }
        return r.nextBoolean() ? v6.toString() : v6 + "/" + r.nextInt(129);
    }

    static String cidr(Random r) {
        int bits = r.nextInt(33);
        long address = (r.nextLong() & 0xFFFFFFFFL) & (bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL);
        return (address >> 24) + "." + (address >> 16 & 255) + "." + (address >> 8 & 255) + "." + (address & 255) + "/"
                + bits;
    }

    static String mac(Random r, int bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bytes; i++) {
            sb.append(i == 0 ? "" : ":").append(String.format("%02x", r.nextInt(256)));
        }
        return sb.toString();
    }

    static String bits(Random r, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            sb.append(r.nextBoolean() ? '1' : '0');
        }
        return sb.toString();
    }

    static String coordinate(Random r) {
        return r.nextInt(4) == 0 ? Double.toString(r.nextGaussian() * 1e6) : Integer.toString(r.nextInt(200) - 100);
    }

    static String point(Random r) {
        return "(" + coordinate(r) + "," + coordinate(r) + ")";
    }

    static String pad(int value, int width) {
        String digits = Integer.toString(value);
        return "0".repeat(Math.max(0, width - digits.length())) + digits;
    }
}
