package io.bronzecdc.model.event;

import java.util.regex.Pattern;

/**
 * A PostgreSQL WAL position ({@code pg_lsn}), printed as {@code X/X}: the high and low 32 bits in upper-case
 * hexadecimal, as the server prints it. Compared as an unsigned 64-bit number.
 *
 * <p>Not to be confused with the bronze {@code lsn} column, which is the dense per-table change sequence.
 */
public final class PgLsn implements Comparable<PgLsn> {
    /** The position before any WAL; snapshot rows of engines without a consistent point carry it. */
    public static final PgLsn ZERO = new PgLsn(0L);

    private static final Pattern FORM = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

    private final long value;

    private PgLsn(long value) {
        this.value = value;
    }

    /** The position with this 64-bit value (as {@code pg_lsn - '0/0'} gives it). */
    public static PgLsn of(long value) {
        return value == 0L ? ZERO : new PgLsn(value);
    }

    /**
     * Parses the {@code X/X} form, for example {@code 16/B374D848}.
     *
     * @throws IllegalArgumentException quoting the text when it is not two hexadecimal parts of at most 8
     *     digits separated by one slash
     */
    public static PgLsn parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("WAL position must be of the form X/X (hex) but was null");
        }
        if (!FORM.matcher(text).matches()) {
            throw new IllegalArgumentException(
                    "WAL position must be of the form X/X (hex, at most 8 digits each) but was '" + text + "'");
        }
        int slash = text.indexOf('/');
        long high = Long.parseLong(text.substring(0, slash), 16);
        long low = Long.parseLong(text.substring(slash + 1), 16);
        return of((high << 32) | low);
    }

    /** The 64-bit value, as stored in bronze {@code source_lsn}. */
    public long asLong() {
        return value;
    }

    @Override
    public int compareTo(PgLsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PgLsn other && other.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
    }
}
