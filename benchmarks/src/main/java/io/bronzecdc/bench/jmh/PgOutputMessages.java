package io.bronzecdc.bench.jmh;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes pgoutput messages (protocol version 1, text tuples) as the walsender sends them: the {@code data} of
 * {@code pg_logical_slot_peek_binary_changes} or of an XLogData frame. Layouts from
 * <a href="https://www.postgresql.org/docs/17/protocol-logicalrep-message-formats.html">Logical Replication Message
 * Formats</a>: big-endian integers, zero-terminated UTF-8 strings, times in microseconds since 2000-01-01 UTC.
 * Tables are REPLICA IDENTITY FULL, so updates and deletes carry the whole old row ({@code 'O'}).
 */
final class PgOutputMessages {
    private PgOutputMessages() {
    }

    /** One column of a Relation message. */
    record Column(boolean key, String name, int typeOid) {
    }

    static byte[] begin(long finalLsn, long commitMicros, int xid) {
        return write(out -> {
            out.writeByte('B');
            out.writeLong(finalLsn);
            out.writeLong(commitMicros);
            out.writeInt(xid);
        });
    }

    static byte[] commit(long commitLsn, long endLsn, long commitMicros) {
        return write(out -> {
            out.writeByte('C');
            out.writeByte(0);
            out.writeLong(commitLsn);
            out.writeLong(endLsn);
            out.writeLong(commitMicros);
        });
    }

    static byte[] relation(int oid, String namespace, String name, List<Column> columns) {
        return write(out -> {
            out.writeByte('R');
            out.writeInt(oid);
            string(out, namespace);
            string(out, name);
            out.writeByte('f'); // REPLICA IDENTITY FULL
            out.writeShort(columns.size());
            for (Column column : columns) {
                out.writeByte(column.key() ? 1 : 0);
                string(out, column.name());
                out.writeInt(column.typeOid());
                out.writeInt(-1);
            }
        });
    }

    static byte[] insert(int oid, String[] row) {
        return write(out -> {
            out.writeByte('I');
            out.writeInt(oid);
            out.writeByte('N');
            tuple(out, row);
        });
    }

    static byte[] update(int oid, String[] oldRow, String[] newRow) {
        return write(out -> {
            out.writeByte('U');
            out.writeInt(oid);
            out.writeByte('O');
            tuple(out, oldRow);
            out.writeByte('N');
            tuple(out, newRow);
        });
    }

    static byte[] delete(int oid, String[] oldRow) {
        return write(out -> {
            out.writeByte('D');
            out.writeInt(oid);
            out.writeByte('O');
            tuple(out, oldRow);
        });
    }

    private static void tuple(DataOutputStream out, String[] row) throws IOException {
        out.writeShort(row.length);
        for (String value : row) {
            if (value == null) {
                out.writeByte('n');
            } else {
                byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                out.writeByte('t');
                out.writeInt(bytes.length);
                out.write(bytes);
            }
        }
    }

    private static void string(DataOutputStream out, String value) throws IOException {
        out.write(value.getBytes(StandardCharsets.UTF_8));
        out.writeByte(0);
    }

    private interface Body {
        void writeTo(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            body.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
