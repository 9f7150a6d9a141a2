package io.bronzecdc.model.codec;

import io.bronzecdc.model.ContractViolationException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;

/**
 * Builds the canonical {@code full_row} of one row from PostgreSQL's text output given as UTF-8 bytes (the values of
 * a pgoutput tuple, read in place from the message), into one reusable byte buffer: the same JSON, byte for byte, as
 * {@link CanonicalRowWriter#textValue(String, ValueShape, String)} gives for the decoded texts, without a String per
 * value.
 *
 * <p>The scalar shapes are written from the bytes: strings escaped as Jackson escapes them, integers and numbers
 * copied when they are already in the form the codec would print, booleans, timestamps and timestamptz rewritten in
 * place; arrays of those are read as {@code PgArrayText} reads them. A value the fast path does not take byte for
 * byte (an array of other shapes, a composite or hstore, invalid UTF-8, a timestamptz before the common era, a
 * malformed value) is decoded to a String and written by a {@link CanonicalRowWriter}, so its JSON, or its error, is
 * that writer's own. The column keys are encoded once per {@link Column}.
 *
 * <p>Reusable and not thread-safe: one writer per thread, {@link #begin()} for every row.
 */
public final class PgTextRowWriter {
    private static final byte[] NULL = ascii("null");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");
    private static final byte[] HEX = ascii("0123456789ABCDEF");
    private static final byte[] UTC_OFFSET = ascii("+00:00");
    private static final byte[] BC = ascii(" BC");
    /** Scalar shapes whose JSON is the value's text as a JSON string. */
    private static final int STRING = 0;
    private static final int INTEGER = 1;
    private static final int NUMBER = 2;
    private static final int BOOLEAN = 3;
    private static final int TIMESTAMP = 4;
    private static final int TIMESTAMPTZ = 5;
    private static final int RAW_JSON = 6;
    /** Not a scalar, or a key the fast path cannot encode: every value goes through {@link CanonicalRowWriter}. */
    private static final int SLOW = 7;
    /** An array of one of the scalar kinds above ({@link Column#elementKind}). */
    private static final int ARRAY = 8;

    /** Writes the keys of new columns, and the values the fast path does not take. */
    private final CanonicalRowWriter slow = new CanonicalRowWriter();
    private byte[] buffer = new byte[1024];
    /** A quoted array element without its quotes and backslashes. */
    private byte[] element = new byte[64];
    private int length;
    private boolean firstField;

    /**
     * One column of a relation with its key encoded once: build it when the relation is announced, not per row.
     */
    public static final class Column {
        final String name;
        final ValueShape shape;
        final int kind;
        /** For an {@link #ARRAY}: the kind of its elements, and their delimiter. */
        final int elementKind;
        final byte delimiter;
        /** {@code "name":} in UTF-8, escaped as Jackson escapes field names. */
        final byte[] key;

        private Column(String name, ValueShape shape, int kind, byte[] key) {
            this.name = name;
            this.shape = shape;
            this.key = key;
            int element = SLOW;
            if (shape instanceof ValueShape.Array array && array.delimiter() > 0 && array.delimiter() < 0x80) {
                element = kindOf(array.element());
            }
            this.elementKind = element;
            this.delimiter = (byte) (element == SLOW ? 0 : ((ValueShape.Array) shape).delimiter());
            this.kind = kind == SLOW && element != SLOW && key.length > 0 ? ARRAY : kind;
        }

        /** The column name, the JSON key. */
        public String name() {
            return name;
        }

        /** How {@code to_jsonb} renders the column's type. */
        public ValueShape shape() {
            return shape;
        }
    }

    /**
     * A column whose values this writer can write: its key encoded by {@link CanonicalRowWriter} (so escaped as it
     * escapes it) and its shape's fast path chosen.
     */
    public static Column column(String name, ValueShape shape) {
        String row = new CanonicalRowWriter().begin().textValue(name, shape, null).end(); // {"name":null}
        String key = row.substring(1, row.length() - "null}".length());
        byte[] keyBytes = utf8(key);
        int kind = keyBytes == null ? SLOW : kindOf(shape);
        return new Column(name, shape, kind, keyBytes == null ? new byte[0] : keyBytes);
    }

    /** The fast path of a scalar shape, or {@link #SLOW}. */
    private static int kindOf(ValueShape shape) {
        if (!(shape instanceof ValueShape.Scalar scalar)) {
            return SLOW;
        }
        return switch (scalar.kind()) {
            case INTEGER -> INTEGER;
            case NUMERIC, FLOAT -> NUMBER;
            case BOOLEAN -> BOOLEAN;
            case TIMESTAMP -> TIMESTAMP;
            case TIMESTAMPTZ -> TIMESTAMPTZ;
            case JSON -> RAW_JSON;
            case TEXT, DATE, TIME, TIMETZ, BYTEA, OTHER -> STRING;
        };
    }

    /** Starts a new row, discarding any unfinished one. */
    public PgTextRowWriter begin() {
        length = 0;
        ensure(1);
        buffer[length++] = '{';
        firstField = true;
        return this;
    }

    /** Ends the row and returns its canonical JSON. */
    public String end() {
        ensure(1);
        buffer[length++] = '}';
        return new String(buffer, 0, length, StandardCharsets.UTF_8);
    }

    /** Writes a column whose value is SQL NULL. */
    public void nullValue(Column column) {
        key(column);
        append(NULL);
    }

    /**
     * Writes a column from its text output, {@code text[from, from + count)} in UTF-8.
     *
     * @return false, with the row left unfinished, in the one case this writer cannot give the same JSON as
     *     {@link CanonicalRowWriter}: a key or a slow value's JSON that is not valid UTF-16 (a lone surrogate); write
     *     the row with {@link CanonicalRowWriter} instead
     * @throws ContractViolationException as {@link CanonicalRowWriter#textValue(String, ValueShape, String)} throws it
     *     for a malformed value, naming the column
     */
    public boolean text(Column column, byte[] text, int from, int count) {
        if (column.kind == SLOW) {
            return column.key.length > 0 && slowValue(column, text, from, count);
        }
        int mark = length;
        boolean wasFirst = firstField;
        key(column);
        int to = from + count;
        boolean written = column.kind == ARRAY ? array(column, text, from, to) : scalar(column.kind, text, from, to);
        if (!written) {
            length = mark;
            firstField = wasFirst;
            return slowValue(column, text, from, count);
        }
        return true;
    }

    private boolean scalar(int kind, byte[] text, int from, int to) {
        return switch (kind) {
            case STRING -> string(text, from, to);
            case INTEGER -> integer(text, from, to);
            case NUMBER -> number(text, from, to);
            case BOOLEAN -> bool(text, from, to);
            case TIMESTAMP -> timestamp(text, from, to);
            case TIMESTAMPTZ -> timestamptz(text, from, to);
            case RAW_JSON -> raw(text, from, to);
            default -> false;
        };
    }

    /**
     * An array's text output ({@code {1,2,NULL}}, {@code {{"a b",c},{d,e}}}, {@code [0:1]={1,2}}) as nested JSON
     * arrays of its elements, read as {@code PgArrayText} reads it; false for anything it would refuse.
     */
    private boolean array(Column column, byte[] text, int from, int to) {
        int p = from;
        if (p < to && text[p] == '[') {
            while (p < to && text[p] != '=') {
                p++;
            }
            if (p == to) {
                return false;
            }
            p++;
        }
        return arrayBody(column, text, p, to) == to;
    }

    /** The array at {@code text[p]} ({@code {...}}); the position after its closing brace, or -1. */
    private int arrayBody(Column column, byte[] text, int p, int to) {
        if (p >= to || text[p] != '{') {
            return -1;
        }
        p++;
        ensure(1);
        buffer[length++] = '[';
        if (p < to && text[p] == '}') {
            ensure(1);
            buffer[length++] = ']';
            return p + 1;
        }
        for (boolean first = true; ; first = false) {
            if (!first) {
                ensure(1);
                buffer[length++] = ',';
            }
            if (p >= to) {
                return -1;
            }
            if (text[p] == '{') {
                p = arrayBody(column, text, p, to);
                if (p < 0) {
                    return -1;
                }
            } else if (text[p] == '"') {
                int n = 0;
                p++;
                while (true) {
                    if (p >= to) {
                        return -1;
                    }
                    byte c = text[p++];
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        if (p >= to) {
                            return -1;
                        }
                        c = text[p++];
                    }
                    if (n == element.length) {
                        element = Arrays.copyOf(element, n * 2);
                    }
                    element[n++] = c;
                }
                if (!scalar(column.elementKind, element, 0, n)) {
                    return -1;
                }
            } else {
                int start = p;
                while (p < to && text[p] != column.delimiter && text[p] != '}') {
                    p++;
                }
                if (p - start == 4 && is(text, start, "NULL")) {
                    append(NULL);
                } else if (!scalar(column.elementKind, text, start, p)) {
                    return -1;
                }
            }
            if (p >= to) {
                return -1;
            }
            byte next = text[p++];
            if (next == '}') {
                ensure(1);
                buffer[length++] = ']';
                return p;
            }
            if (next != column.delimiter) {
                return -1;
            }
        }
    }

    /** The value through {@link CanonicalRowWriter}: its JSON is what that writer puts after the key. */
    private boolean slowValue(Column column, byte[] text, int from, int count) {
        String value = new String(text, from, count, StandardCharsets.UTF_8);
        String row = slow.begin().textValue(column.name, column.shape, value).end();
        byte[] json = utf8(row);
        if (json == null) {
            return false;
        }
        int valueStart = 1 + column.key.length;
        if (json.length < valueStart + 1) {
            return false;
        }
        key(column);
        ensure(json.length);
        System.arraycopy(json, valueStart, buffer, length, json.length - valueStart - 1);
        length += json.length - valueStart - 1;
        return true;
    }

    private void key(Column column) {
        ensure(column.key.length + 1);
        if (firstField) {
            firstField = false;
        } else {
            buffer[length++] = ',';
        }
        System.arraycopy(column.key, 0, buffer, length, column.key.length);
        length += column.key.length;
    }

    /** A JSON string of the text: {@code "} {@code \} and control characters escaped, the rest copied. */
    private boolean string(byte[] text, int from, int to) {
        ensure(to - from + 2);
        buffer[length++] = '"';
        if (!escaped(text, from, to)) {
            return false;
        }
        ensure(1);
        buffer[length++] = '"';
        return true;
    }

    /**
     * Copies {@code text[from, to)} escaped as Jackson's {@code writeString} escapes: {@code \"}, {@code \\},
     * {@code \b \t \n \f \r}, other characters below 0x20 as six-character escapes (backslash, u, four upper-case
     * hex digits); UTF-8 sequences copied after checking them (false for invalid UTF-8, which a String would hold as
     * U+FFFD).
     */
    private boolean escaped(byte[] text, int from, int to) {
        ensure(to - from);
        int i = from;
        while (i < to) {
            int run = i;
            while (i < to) {
                byte b = text[i];
                if (b < 0x20 || b == '"' || b == '\\') { // non-ASCII bytes are negative
                    break;
                }
                i++;
            }
            if (i > run) {
                System.arraycopy(text, run, buffer, length, i - run);
                length += i - run;
            }
            if (i == to) {
                break;
            }
            byte b = text[i];
            if (b < 0) {
                int n = utf8Sequence(text, i, to);
                if (n < 0) {
                    return false;
                }
                System.arraycopy(text, i, buffer, length, n);
                length += n;
                i += n;
            } else {
                escape(b, to - i);
                i++;
            }
        }
        return true;
    }

    private void escape(byte b, int rest) {
        ensure(rest + 6);
        buffer[length++] = '\\';
        switch (b) {
            case '"', '\\' -> buffer[length++] = b;
            case '\b' -> buffer[length++] = 'b';
            case '\t' -> buffer[length++] = 't';
            case '\n' -> buffer[length++] = 'n';
            case '\f' -> buffer[length++] = 'f';
            case '\r' -> buffer[length++] = 'r';
            default -> {
                buffer[length++] = 'u';
                buffer[length++] = '0';
                buffer[length++] = '0';
                buffer[length++] = HEX[b >> 4];
                buffer[length++] = HEX[b & 0xF];
            }
        }
    }

    /**
     * The length of the well-formed UTF-8 sequence (Unicode table 3-7, what Java's decoder accepts) that starts at
     * {@code text[i]}, a byte of 0x80 or more; -1 when it is malformed.
     */
    static int utf8Sequence(byte[] text, int i, int to) {
        int b = text[i] & 0xFF;
        if (b >= 0xC2 && b <= 0xDF) {
            return i + 1 < to && continuation(text[i + 1]) ? 2 : -1;
        }
        if (b >= 0xE0 && b <= 0xEF) {
            if (i + 2 >= to) {
                return -1;
            }
            int b1 = text[i + 1] & 0xFF;
            int low = b == 0xE0 ? 0xA0 : 0x80;
            int high = b == 0xED ? 0x9F : 0xBF;
            return b1 >= low && b1 <= high && continuation(text[i + 2]) ? 3 : -1;
        }
        if (b >= 0xF0 && b <= 0xF4) {
            if (i + 3 >= to) {
                return -1;
            }
            int b1 = text[i + 1] & 0xFF;
            int low = b == 0xF0 ? 0x90 : 0x80;
            int high = b == 0xF4 ? 0x8F : 0xBF;
            return b1 >= low && b1 <= high && continuation(text[i + 2]) && continuation(text[i + 3]) ? 4 : -1;
        }
        return -1;
    }

    private static boolean continuation(byte b) {
        return (b & 0xC0) == 0x80;
    }

    /** Copies the UTF-8 after checking it: json and jsonb text is written as it is ({@code writeRawValue}). */
    private boolean raw(byte[] text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (text[i] < 0) {
                int n = utf8Sequence(text, i, to);
                if (n < 0) {
                    return false;
                }
                i += n - 1;
            }
        }
        copy(text, from, to);
        return true;
    }

    /**
     * An integer as the codec prints it ({@link Long#parseLong} then its digits): copied when the text is already
     * that ({@code 0} or {@code -?[1-9][0-9]{0,17}}), else left to the slow path.
     */
    private boolean integer(byte[] text, int from, int to) {
        int i = from < to && text[from] == '-' ? from + 1 : from;
        if (i >= to || to - i > 18 || text[i] < '1' || text[i] > '9') {
            if (to - from == 1 && text[from] == '0') {
                copy(text, from, to);
                return true;
            }
            return false;
        }
        for (int k = i + 1; k < to; k++) {
            if (text[k] < '0' || text[k] > '9') {
                return false;
            }
        }
        copy(text, from, to);
        return true;
    }

    /** numeric and float: NaN and the infinities as strings, else the text as a JSON number. */
    private boolean number(byte[] text, int from, int to) {
        int n = to - from;
        if ((n == 3 && is(text, from, "NaN")) || (n == 8 && is(text, from, "Infinity"))
                || (n == 9 && is(text, from, "-Infinity"))) {
            return string(text, from, to);
        }
        if (!isJsonNumber(text, from, to)) {
            return false;
        }
        copy(text, from, to);
        return true;
    }

    /** {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}, as {@link PgTextValues#isJsonNumber}. */
    static boolean isJsonNumber(byte[] s, int from, int to) {
        int i = from < to && s[from] == '-' ? from + 1 : from;
        if (i < to && s[i] == '0') {
            i++;
        } else {
            int start = i;
            i = digits(s, i, to);
            if (i == start) {
                return false;
            }
        }
        if (i < to && s[i] == '.') {
            int start = ++i;
            i = digits(s, i, to);
            if (i == start) {
                return false;
            }
        }
        if (i < to && (s[i] == 'e' || s[i] == 'E')) {
            i++;
            if (i < to && (s[i] == '+' || s[i] == '-')) {
                i++;
            }
            int start = i;
            i = digits(s, i, to);
            if (i == start) {
                return false;
            }
        }
        return i == to;
    }

    private static int digits(byte[] s, int from, int to) {
        int i = from;
        while (i < to && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
        return i;
    }

    private boolean bool(byte[] text, int from, int to) {
        int n = to - from;
        if ((n == 1 && text[from] == 't') || (n == 4 && is(text, from, "true"))) {
            append(TRUE);
            return true;
        }
        if ((n == 1 && text[from] == 'f') || (n == 5 && is(text, from, "false"))) {
            append(FALSE);
            return true;
        }
        return false;
    }

    private static boolean isInfinity(byte[] text, int from, int to) {
        int n = to - from;
        return (n == 8 && is(text, from, "infinity")) || (n == 9 && is(text, from, "-infinity"));
    }

    /** {@code 2022-01-29 01:58:52.2} as {@code "2022-01-29T01:58:52.2"}: the first space becomes {@code T}. */
    private boolean timestamp(byte[] text, int from, int to) {
        if (isInfinity(text, from, to)) {
            return string(text, from, to);
        }
        int space = from;
        while (space < to && text[space] != ' ') {
            space++;
        }
        if (space == to) {
            return false;
        }
        ensure(to - from + 2);
        buffer[length++] = '"';
        if (!escaped(text, from, space)) {
            return false;
        }
        ensure(1);
        buffer[length++] = 'T';
        if (!escaped(text, space + 1, to)) {
            return false;
        }
        ensure(1);
        buffer[length++] = '"';
        return true;
    }

    /**
     * timestamptz in the common shape {@code YYYY-MM-DD HH:MM:SS[.f{1,9}]+HH[:MM[:SS]]} (a four-digit year of our
     * era), read as {@code PgTextValues} reads it and printed in UTC as {@code PgTemporal} prints it; any other shape
     * (BC, longer years, malformed text) and a result before the common era take the slow path.
     */
    private boolean timestamptz(byte[] text, int from, int to) {
        if (isInfinity(text, from, to)) {
            return string(text, from, to);
        }
        int n = to - from;
        if (n < 22 || text[from + 4] != '-' || text[from + 7] != '-' || text[from + 10] != ' '
                || text[from + 13] != ':' || text[from + 16] != ':') {
            return false;
        }
        int year = digitsValue(text, from, from + 4);
        int month = digitsValue(text, from + 5, from + 7);
        int day = digitsValue(text, from + 8, from + 10);
        int hour = digitsValue(text, from + 11, from + 13);
        int minute = digitsValue(text, from + 14, from + 16);
        int second = digitsValue(text, from + 17, from + 19);
        if ((year | month | day | hour | minute | second) < 0 || year < 1 || month < 1 || month > 12 || day < 1
                || day > 31 || hour > 23 || minute > 59 || second > 59) {
            return false;
        }
        int i = from + 19;
        int nanos = 0;
        if (text[i] == '.') {
            int start = ++i;
            while (i < to && i - start < 9 && text[i] >= '0' && text[i] <= '9') {
                nanos = nanos * 10 + text[i] - '0';
                i++;
            }
            if (i == start) {
                return false;
            }
            for (int k = i - start; k < 9; k++) {
                nanos *= 10;
            }
        }
        if (i + 3 > to || (text[i] != '+' && text[i] != '-')) {
            return false;
        }
        int sign = text[i] == '-' ? -1 : 1;
        int offsetSeconds = 0;
        for (int unit = 3600; unit >= 1 && i < to; unit /= 60) {
            if ((unit != 3600 && text[i] != ':') || i + 3 > to) {
                return false;
            }
            int part = digitsValue(text, i + 1, i + 3);
            if (part < 0 || (unit != 3600 && part > 59)) {
                return false;
            }
            offsetSeconds += part * unit;
            i += 3;
        }
        if (i != to || offsetSeconds > 18 * 3600 || day > LocalDate.of(year, month, 1).lengthOfMonth()) {
            return false;
        }
        long epochSecond = LocalDate.of(year, month, day).toEpochDay() * 86_400 + hour * 3_600L + minute * 60L
                + second - sign * (long) offsetSeconds;
        LocalDateTime utc = LocalDateTime.ofEpochSecond(epochSecond, nanos, ZoneOffset.UTC);
        if (utc.getYear() < 1) {
            return false;
        }
        ensure(40);
        buffer[length++] = '"';
        pad(utc.getYear(), 4);
        buffer[length++] = '-';
        pad(utc.getMonthValue(), 2);
        buffer[length++] = '-';
        pad(utc.getDayOfMonth(), 2);
        buffer[length++] = 'T';
        pad(utc.getHour(), 2);
        buffer[length++] = ':';
        pad(utc.getMinute(), 2);
        buffer[length++] = ':';
        pad(utc.getSecond(), 2);
        int micros = utc.getNano() / 1_000;
        if (micros != 0) {
            int digits = 6;
            while (micros % 10 == 0) {
                micros /= 10;
                digits--;
            }
            buffer[length++] = '.';
            pad(micros, digits);
        }
        System.arraycopy(UTC_OFFSET, 0, buffer, length, UTC_OFFSET.length);
        length += UTC_OFFSET.length;
        buffer[length++] = '"';
        return true;
    }

    /** The number in {@code text[from, to)}, all decimal digits, or -1. */
    private static int digitsValue(byte[] text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            byte c = text[i];
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + c - '0';
        }
        return value;
    }

    /** Writes a non-negative {@code value} with leading zeros to at least {@code width} digits. */
    private void pad(int value, int width) {
        int digits = 1;
        for (int rest = value / 10; rest != 0; rest /= 10) {
            digits++;
        }
        int end = length + Math.max(digits, width);
        for (int i = end - 1; i >= length; i--) {
            buffer[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        length = end;
    }

    private static boolean is(byte[] text, int from, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            if (text[from + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void copy(byte[] text, int from, int to) {
        ensure(to - from);
        System.arraycopy(text, from, buffer, length, to - from);
        length += to - from;
    }

    private void append(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buffer, length, bytes.length);
        length += bytes.length;
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }

    /** The UTF-8 of {@code text}, or null when it holds a lone surrogate (no UTF-8 decodes back to it). */
    private static byte[] utf8(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return null;
            }
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
