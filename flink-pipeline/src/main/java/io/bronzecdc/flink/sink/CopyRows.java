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

    private byte[] data = new byte[1 << 16];
    private int size;
    private int done;
    private final StringBuilder line = new StringBuilder(512);
    private long firstLsn = -1;
    private long lastLsn = -1;

    public void add(SequencedChange row) {
        add(row.lsn(), row.op(), row.fullRow(), row.sourceLsn(), row.snapshot(), row.txId(), row.commitMillis());
    }

    /** Appends one row; {@code snapshot} rows get NULL {@code tx_id} and {@code commit_ts}. */
    void add(long lsn, char op, String fullRow, long sourceLsn, boolean snapshot, long txId, long commitMillis) {
        line.setLength(0);
        line.append(lsn).append('\t').append(op).append('\t');
        escape(fullRow);
        line.append('\t').append(sourceLsn).append('\t');
        if (snapshot) {
            line.append("\\N\t\\N\n");
        } else {
            line.append(txId).append('\t').append(Instant.ofEpochMilli(commitMillis)).append('\n');
        }
        byte[] encoded = line.toString().getBytes(StandardCharsets.UTF_8);
        if (size + encoded.length > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length * 2, size + encoded.length));
        }
        System.arraycopy(encoded, 0, data, size, encoded.length);
        size += encoded.length;
        if (firstLsn < 0) {
            firstLsn = lsn;
        }
        lastLsn = lsn;
    }

    /** COPY text format: backslash starts an escape; tab, newline and carriage return end fields and rows. */
    private void escape(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> line.append("\\\\");
                case '\t' -> line.append("\\t");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                default -> line.append(c);
            }
        }
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
