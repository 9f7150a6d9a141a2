package io.bronzecdc.model.pgoutput;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.event.PgLsn;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one pgoutput message (protocol version 1) from its bytes into a {@link PgOutputMessage}, straight from
 * the buffer: strings and text values are decoded from UTF-8 in place, without intermediate streams.
 *
 * <p>Spec: <a href="https://www.postgresql.org/docs/17/protocol-logicalrep-message-formats.html">Logical
 * Replication Message Formats</a>. Integers are big-endian (the buffer's default order); strings end with a
 * zero byte; times are microseconds since 2000-01-01 00:00 UTC.
 */
public final class PgOutputParser {
    /** Seconds from 1970-01-01 to 2000-01-01, the epoch of PostgreSQL timestamps. */
    private static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;

    private PgOutputParser() {
    }

    /**
     * Parses the message from the buffer's position to its limit, which must hold exactly one message; the
     * position ends at the limit.
     *
     * @throws ContractViolationException when the bytes are not one complete version-1 message, naming the kind
     *     and what was wrong
     */
    public static PgOutputMessage parse(ByteBuffer data) {
        if (!data.hasRemaining()) {
            throw new ContractViolationException("pgoutput message is empty: expected at least the kind byte."
                    + " Pass the data column of pg_logical_slot_peek_binary_changes as it is");
        }
        char kind = (char) data.get();
        PgOutputMessage message;
        try {
            message = body(kind, data);
        } catch (BufferUnderflowException e) {
            throw new ContractViolationException("pgoutput message '" + kind + "' ends early (" + data.limit()
                    + " bytes): expected more fields per the protocol version 1 layout. The bytes were cut off or"
                    + " were written by another protocol version", e);
        }
        if (data.hasRemaining()) {
            throw new ContractViolationException("pgoutput message '" + kind + "' has " + data.remaining()
                    + " unexpected bytes after its last field: expected the protocol version 1 layout. Request"
                    + " 'proto_version' '1' without 'streaming' or 'binary'");
        }
        return message;
    }

    private static PgOutputMessage body(char kind, ByteBuffer data) {
        return switch (kind) {
            case 'B' -> new PgOutputMessage.Begin(lsn(data), timestamp(data.getLong()), xid(data));
            case 'C' -> new PgOutputMessage.Commit(data.get(), lsn(data), lsn(data), timestamp(data.getLong()));
            case 'O' -> new PgOutputMessage.Origin(lsn(data), string(data));
            case 'R' -> relation(data);
            case 'Y' -> new PgOutputMessage.Type(data.getInt(), string(data), string(data));
            case 'I' -> new PgOutputMessage.Insert(data.getInt(), expectTuple('I', 'N', data));
            case 'U' -> update(data);
            case 'D' -> delete(data);
            case 'T' -> truncate(data);
            case 'M' -> logicalMessage(data);
            default -> throw new ContractViolationException("pgoutput message kind '" + kind + "' (0x"
                    + Integer.toHexString(kind) + ") is not one of protocol version 1 (B, C, O, R, Y, I, U, D, T,"
                    + " M). Streaming and two-phase messages need protocol 2 or later: request 'proto_version' '1'"
                    + " without 'streaming' or 'two_phase'");
        };
    }

    private static PgOutputMessage.Relation relation(ByteBuffer data) {
        int oid = data.getInt();
        String namespace = string(data);
        String name = string(data);
        char replicaIdentity = (char) data.get();
        int count = data.getShort() & 0xFFFF;
        List<PgOutputMessage.Relation.Column> columns = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            columns.add(new PgOutputMessage.Relation.Column(data.get(), string(data), data.getInt(), data.getInt()));
        }
        return new PgOutputMessage.Relation(oid, namespace, name, replicaIdentity, columns);
    }

    private static PgOutputMessage.Update update(ByteBuffer data) {
        int oid = data.getInt();
        char marker = (char) data.get();
        PgOutputMessage.OldTuple old = null;
        if (marker == 'K' || marker == 'O') {
            old = new PgOutputMessage.OldTuple(marker == 'K', tuple(data));
            marker = (char) data.get();
        }
        if (marker != 'N') {
            throw unexpectedMarker('U', "'K', 'O' or 'N'", marker);
        }
        return new PgOutputMessage.Update(oid, old, tuple(data));
    }

    private static PgOutputMessage.Delete delete(ByteBuffer data) {
        int oid = data.getInt();
        char marker = (char) data.get();
        if (marker != 'K' && marker != 'O') {
            throw unexpectedMarker('D', "'K' or 'O'", marker);
        }
        return new PgOutputMessage.Delete(oid, new PgOutputMessage.OldTuple(marker == 'K', tuple(data)));
    }

    private static PgOutputMessage.Truncate truncate(ByteBuffer data) {
        int count = data.getInt();
        int options = data.get();
        List<Integer> oids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            oids.add(data.getInt());
        }
        return new PgOutputMessage.Truncate(options, oids);
    }

    private static PgOutputMessage.LogicalMessage logicalMessage(ByteBuffer data) {
        int flags = data.get();
        PgLsn lsn = lsn(data);
        String prefix = string(data);
        int length = data.getInt();
        ByteBuffer content = slice(data, length);
        return new PgOutputMessage.LogicalMessage(flags, lsn, prefix, content);
    }

    private static TupleData expectTuple(char kind, char expected, ByteBuffer data) {
        char marker = (char) data.get();
        if (marker != expected) {
            throw unexpectedMarker(kind, "'" + expected + "'", marker);
        }
        return tuple(data);
    }

    private static TupleData tuple(ByteBuffer data) {
        int count = data.getShort() & 0xFFFF;
        TupleValue[] values = new TupleValue[count];
        for (int i = 0; i < count; i++) {
            char kind = (char) data.get();
            values[i] = switch (kind) {
                case 'n' -> TupleValue.NULL;
                case 'u' -> TupleValue.UNCHANGED_TOAST;
                case 't' -> new TupleValue.Text(utf8(data, data.getInt()));
                case 'b' -> new TupleValue.Binary(slice(data, data.getInt()));
                default -> throw new ContractViolationException("pgoutput tuple column " + (i + 1) + " of "
                        + count + " has value kind '" + kind + "' (0x" + Integer.toHexString(kind)
                        + "): expected 'n' (null), 'u' (unchanged TOAST), 't' (text) or 'b' (binary). The value"
                        + " cannot be read, so the row is refused rather than stored without it");
            };
        }
        return new TupleData(List.of(values));
    }

    private static PgLsn lsn(ByteBuffer data) {
        return PgLsn.of(data.getLong());
    }

    private static long xid(ByteBuffer data) {
        return Integer.toUnsignedLong(data.getInt());
    }

    /** A PostgreSQL timestamp: microseconds since 2000-01-01 00:00 UTC. */
    static Instant timestamp(long micros) {
        return Instant.ofEpochSecond(POSTGRES_EPOCH_SECONDS + Math.floorDiv(micros, 1_000_000L),
                Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    private static String string(ByteBuffer data) {
        int start = data.position();
        int end = start;
        int limit = data.limit();
        while (end < limit && data.get(end) != 0) {
            end++;
        }
        if (end == limit) {
            throw new BufferUnderflowException();
        }
        String value = utf8(data, end - start);
        data.get();
        return value;
    }

    private static String utf8(ByteBuffer data, int length) {
        if (length < 0 || length > data.remaining()) {
            throw new BufferUnderflowException();
        }
        String value;
        if (data.hasArray()) {
            value = new String(data.array(), data.arrayOffset() + data.position(), length, StandardCharsets.UTF_8);
            data.position(data.position() + length);
        } else {
            byte[] bytes = new byte[length];
            data.get(bytes);
            value = new String(bytes, StandardCharsets.UTF_8);
        }
        return value;
    }

    private static ByteBuffer slice(ByteBuffer data, int length) {
        if (length < 0 || length > data.remaining()) {
            throw new BufferUnderflowException();
        }
        ByteBuffer slice = data.slice(data.position(), length);
        data.position(data.position() + length);
        return slice;
    }

    private static ContractViolationException unexpectedMarker(char kind, String expected, char found) {
        return new ContractViolationException("pgoutput message '" + kind + "': expected tuple marker " + expected
                + " but found '" + found + "' (0x" + Integer.toHexString(found) + "). The bytes are not a protocol"
                + " version 1 message");
    }
}
