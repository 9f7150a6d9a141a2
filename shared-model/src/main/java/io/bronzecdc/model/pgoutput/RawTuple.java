package io.bronzecdc.model.pgoutput;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A pgoutput {@code TupleData} read in place: each column's kind byte and, for a text value, where its UTF-8 bytes
 * lie in the message. Reused from message to message, so decoding a change allocates nothing per column; the
 * decoder's fast path reads changes with it, and {@link PgOutputParser} stays the reference (and the words of every
 * error): what this reader does not take, the parser reads.
 */
final class RawTuple {
    byte[] bytes;
    int count;
    byte[] kinds = new byte[16];
    int[] starts = new int[16];
    int[] lengths = new int[16];

    /**
     * Reads the tuple at {@code bytes[position]}.
     *
     * @return the position after the tuple, or -1 when it is not a tuple of null, unchanged-TOAST and text values
     *     that ends by {@code limit} (binary values, unknown kinds and cut-off bytes are left to the parser)
     */
    int read(byte[] bytes, int position, int limit) {
        if (position + 2 > limit) {
            return -1;
        }
        int n = ((bytes[position] & 0xFF) << 8) | (bytes[position + 1] & 0xFF);
        int p = position + 2;
        if (n > kinds.length) {
            kinds = Arrays.copyOf(kinds, n);
            starts = Arrays.copyOf(starts, n);
            lengths = Arrays.copyOf(lengths, n);
        }
        for (int i = 0; i < n; i++) {
            if (p >= limit) {
                return -1;
            }
            byte kind = bytes[p++];
            kinds[i] = kind;
            if (kind == 't') {
                if (p + 4 > limit) {
                    return -1;
                }
                int length = ((bytes[p] & 0xFF) << 24) | ((bytes[p + 1] & 0xFF) << 16) | ((bytes[p + 2] & 0xFF) << 8)
                        | (bytes[p + 3] & 0xFF);
                p += 4;
                if (length < 0 || length > limit - p) {
                    return -1;
                }
                starts[i] = p;
                lengths[i] = length;
                p += length;
            } else if (kind != 'n' && kind != 'u') {
                return -1;
            }
        }
        this.bytes = bytes;
        this.count = n;
        return p;
    }

    /**
     * Column {@code i}'s value as {@link TupleValue}s compare in an update's key check ({@link Value#equals}).
     */
    Value value(int i) {
        return new Value(kinds[i], bytes, starts[i], lengths[i]);
    }

    /**
     * One value of a raw tuple, equal to another exactly when their {@link TupleValue}s would be: same kind, and for
     * text the same decoded String.
     */
    static final class Value {
        private final byte kind;
        private final byte[] bytes;
        private final int start;
        private final int length;

        Value(byte kind, byte[] bytes, int start, int length) {
            this.kind = kind;
            this.bytes = bytes;
            this.start = start;
            this.length = length;
        }

        @Override
        public boolean equals(Object other) {
            if (!(other instanceof Value that) || kind != that.kind) {
                return false;
            }
            if (kind != 't') {
                return true;
            }
            if (Arrays.equals(bytes, start, start + length, that.bytes, that.start, that.start + that.length)) {
                return true;
            }
            // different bytes may decode to the same String only where they are not valid UTF-8 (each bad sequence
            // becomes U+FFFD), so compare the Strings unless both are ASCII
            return !(ascii() && that.ascii()) && text().equals(that.text());
        }

        @Override
        public int hashCode() {
            return kind == 't' ? text().hashCode() : kind;
        }

        private boolean ascii() {
            for (int i = start; i < start + length; i++) {
                if (bytes[i] < 0) {
                    return false;
                }
            }
            return true;
        }

        private String text() {
            return new String(bytes, start, length, StandardCharsets.UTF_8);
        }
    }
}
