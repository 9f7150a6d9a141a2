package io.bronzecdc.flink.sink;

import io.bronzecdc.flink.sequence.SequencedChange;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The rows of one bronze table buffered as COPY text ({@code lsn, op, full_row, source_lsn, tx_id, commit_ts};
 * {@code load_ts} left to its default).
 *
 * <p>Public (with {@link #add}, {@link #size}, {@link #buffer} and {@link #clear}) only so that the benchmarks module's
 * JMH benchmark measures this encoding itself; the sink writer is its one user.
 */
public final class CopyRows {
    static final String COLUMNS = "(lsn, op, full_row, source_lsn, tx_id, commit_ts)";

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 16);
    private final StringBuilder line = new StringBuilder(512);
    private long firstLsn = -1;
    private long lastLsn = -1;

    public void add(SequencedChange row) {
        line.setLength(0);
        line.append(row.lsn()).append('\t').append(row.op()).append('\t');
        escape(row.fullRow());
        line.append('\t').append(row.sourceLsn()).append('\t');
        if (row.snapshot()) {
            line.append("\\N\t\\N\n");
        } else {
            line.append(row.txId()).append('\t').append(Instant.ofEpochMilli(row.commitMillis())).append('\n');
        }
        byte[] encoded = line.toString().getBytes(StandardCharsets.UTF_8);
        bytes.write(encoded, 0, encoded.length);
        if (firstLsn < 0) {
            firstLsn = row.lsn();
        }
        lastLsn = row.lsn();
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
        return bytes.size();
    }

    public byte[] buffer() {
        return bytes.toByteArray();
    }

    /** "lsn a..b" of the buffered rows, for messages. */
    String lsnRange() {
        return "lsn " + firstLsn + ".." + lastLsn;
    }

    public void clear() {
        bytes.reset();
        firstLsn = -1;
        lastLsn = -1;
    }
}
