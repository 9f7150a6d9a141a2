package io.bronzecdc.flink.sink;

import io.bronzecdc.flink.sequence.SequencedChange;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import org.postgresql.copy.CopyIn;

/**
 * The rows of one bronze table buffered as COPY text ({@code lsn, op, full_row, source_lsn, tx_id, commit_ts};
 * {@code load_ts} left to its default).
 *
 * <p>A {@link #markDone() mark} separates the rows of complete source transactions from those of the transaction
 * still arriving, so that the complete ones can be written and committed on their own ({@link #writeDone},
 * {@link #dropDone}) while the rest stays buffered.
 *
 * <p>Public (with {@link #add}, {@link #size}, {@link #buffer} and {@link #clear}) only so that the benchmarks module's
 * JMH benchmark measures this encoding itself; the sink writers are its users.
 */
public final class CopyRows {
    static final String COLUMNS = "(lsn, op, full_row, source_lsn, tx_id, commit_ts)";

    /** Worst case of a row's columns besides {@code full_row}: three longs, op, tabs, newline, a commit time. */
    private static final int ROW_OVERHEAD = 3 * 20 + 8 + 40;

    private byte[] data = new byte[1 << 16];
    private int size;
    private int done;
    private long firstLsn = -1;
    private long lastLsn = -1;
    /** The last commit time written and its text: the rows of a source transaction share it. */
    private long commitMillisCached = Long.MIN_VALUE;
    private byte[] commitText;

    public void add(SequencedChange row) {
        add(row.lsn(), row.op(), row.fullRow(), row.sourceLsn(), row.snapshot(), row.txId(), row.commitMillis());
    }

    /** Appends one row; {@code snapshot} rows get NULL {@code tx_id} and {@code commit_ts}. */
    void add(long lsn, char op, String fullRow, long sourceLsn, boolean snapshot, long txId, long commitMillis) {
        if (op >= 0x80) {
            throw new IllegalArgumentException("op must be an ASCII letter but was U+" + Integer.toHexString(op));
        }
        // JSON as UTF-8 escaped byte by byte: the four bytes COPY escapes are ASCII, and no byte of a multi-byte
        // UTF-8 sequence is ASCII, so escaping the bytes escapes the text.
        byte[] json = fullRow.getBytes(StandardCharsets.UTF_8);
        ensureCapacity(2 * json.length + ROW_OVERHEAD);
        byte[] d = data;
        int at = digits(lsn, d, size);
        d[at++] = '\t';
        d[at++] = (byte) op;
        d[at++] = '\t';
        at = escape(json, d, at);
        d[at++] = '\t';
        at = digits(sourceLsn, d, at);
        d[at++] = '\t';
        if (snapshot) {
            d[at++] = '\\';
            d[at++] = 'N';
            d[at++] = '\t';
            d[at++] = '\\';
            d[at++] = 'N';
        } else {
            at = digits(txId, d, at);
            d[at++] = '\t';
            byte[] commit = commitText(commitMillis);
            System.arraycopy(commit, 0, d, at, commit.length);
            at += commit.length;
        }
        d[at++] = '\n';
        size = at;
        if (firstLsn < 0) {
            firstLsn = lsn;
        }
        lastLsn = lsn;
    }

    private void ensureCapacity(int more) {
        if (size + more > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length * 2, size + more));
        }
    }

    /** COPY text format: backslash starts an escape; tab, newline and carriage return end fields and rows. */
    private static int escape(byte[] text, byte[] d, int at) {
        int run = 0;
        for (int i = 0; i < text.length; i++) {
            byte b = text[i];
            if (b == '\\' || b == '\t' || b == '\n' || b == '\r') {
                System.arraycopy(text, run, d, at, i - run);
                at += i - run;
                d[at++] = '\\';
                d[at++] = switch (b) {
                    case '\t' -> 't';
                    case '\n' -> 'n';
                    case '\r' -> 'r';
                    default -> '\\';
                };
                run = i + 1;
            }
        }
        System.arraycopy(text, run, d, at, text.length - run);
        return at + text.length - run;
    }

    /** Writes {@code value} in decimal at {@code at}; returns the position after it. */
    private static int digits(long value, byte[] d, int at) {
        if (value < 0) {
            if (value == Long.MIN_VALUE) {
                byte[] text = Long.toString(value).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(text, 0, d, at, text.length);
                return at + text.length;
            }
            d[at++] = '-';
            value = -value;
        }
        int length = 1;
        for (long v = value; v >= 10; v /= 10) {
            length++;
        }
        int end = at + length;
        for (int i = end - 1; i >= at; i--) {
            d[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        return end;
    }

    /** The commit time as ISO-8601 text ({@link Instant#toString}), which timestamptz reads. */
    private byte[] commitText(long commitMillis) {
        if (commitMillis != commitMillisCached) {
            commitText = Instant.ofEpochMilli(commitMillis).toString().getBytes(StandardCharsets.US_ASCII);
            commitMillisCached = commitMillis;
        }
        return commitText;
    }

    public int size() {
        return size;
    }

    public byte[] buffer() {
        return Arrays.copyOf(data, size);
    }

    /** The rows added so far belong to complete transactions. */
    void markDone() {
        done = size;
    }

    /** Bytes of the rows of complete transactions not written yet. */
    int doneSize() {
        return done;
    }

    /** Writes the rows of complete transactions ({@code all}: every row) into {@code in}. */
    void writeTo(CopyIn in, boolean all) throws SQLException {
        in.writeToCopy(data, 0, all ? size : done);
    }

    /** Forgets the rows of complete transactions, keeping the others. */
    void dropDone() {
        System.arraycopy(data, done, data, 0, size - done);
        size -= done;
        done = 0;
        if (size == 0) {
            firstLsn = -1;
            lastLsn = -1;
        }
    }

    /** "lsn a..b" of the buffered rows, for messages. */
    String lsnRange() {
        return "lsn " + firstLsn + ".." + lastLsn;
    }

    public void clear() {
        size = 0;
        done = 0;
        firstLsn = -1;
        lastLsn = -1;
    }
}
