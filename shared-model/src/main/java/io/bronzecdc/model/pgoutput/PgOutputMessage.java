package io.bronzecdc.model.pgoutput;

import io.bronzecdc.model.event.PgLsn;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One message of the pgoutput logical replication protocol, version 1: what one row of
 * {@code pg_logical_slot_peek_binary_changes(slot, upto_lsn, upto_n, 'proto_version', '1', 'publication_names',
 * pub)} carries in its {@code data} column. {@link PgOutputParser} reads them.
 *
 * <p>Spec: <a href="https://www.postgresql.org/docs/17/protocol-logicalrep-message-formats.html">Logical
 * Replication Message Formats</a>. Streaming and two-phase messages (protocol versions 2 to 4) are not part of
 * version 1 and are rejected by the parser. Relation and type ids are PostgreSQL OIDs (unsigned 32-bit, kept in
 * an {@code int} as the wire carries them); transaction ids are unsigned 32-bit values widened to {@code long}.
 */
public sealed interface PgOutputMessage {

    /**
     * {@code B}: start of a transaction.
     *
     * @param finalLsn the WAL position of the transaction's commit record (its commit LSN)
     * @param commitTime the commit time (microsecond precision)
     * @param xid the transaction id
     */
    record Begin(PgLsn finalLsn, Instant commitTime, long xid) implements PgOutputMessage {
        public Begin {
            Objects.requireNonNull(finalLsn, "finalLsn");
            Objects.requireNonNull(commitTime, "commitTime");
        }
    }

    /**
     * {@code C}: end of a transaction.
     *
     * @param flags unused by the server (0)
     * @param commitLsn the WAL position of the commit record; equals the {@link Begin#finalLsn()}
     * @param endLsn the WAL position just after the commit record
     * @param commitTime the commit time
     */
    record Commit(int flags, PgLsn commitLsn, PgLsn endLsn, Instant commitTime) implements PgOutputMessage {
        public Commit {
            Objects.requireNonNull(commitLsn, "commitLsn");
            Objects.requireNonNull(endLsn, "endLsn");
            Objects.requireNonNull(commitTime, "commitTime");
        }
    }

    /**
     * {@code O}: the transaction came from another node through replication.
     *
     * @param commitLsn the commit position on the origin server
     * @param name the origin's name
     */
    record Origin(PgLsn commitLsn, String name) implements PgOutputMessage {
        public Origin {
            Objects.requireNonNull(commitLsn, "commitLsn");
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * {@code R}: the shape of a relation, sent before its first change in a session and again after it changes.
     *
     * @param oid the relation's OID (the partitioned root when the publication publishes via the root)
     * @param namespace the schema; the server sends the empty string for {@code pg_catalog}
     * @param name the relation name
     * @param replicaIdentity {@code d} default (primary key), {@code n} nothing, {@code f} full, {@code i} index
     * @param columns the published columns, in table order
     */
    record Relation(int oid, String namespace, String name, char replicaIdentity, List<Column> columns)
            implements PgOutputMessage {
        public Relation {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
            columns = List.copyOf(columns);
        }

        /** {@code namespace.name} as the server sent them, for messages. */
        public String qualifiedName() {
            return namespace.isEmpty() ? name : namespace + "." + name;
        }

        /**
         * One column of a {@link Relation}.
         *
         * @param flags 1 when the column is part of the replica identity key, else 0
         * @param name the column name
         * @param typeOid the OID of the column's type
         * @param typeModifier the type modifier ({@code atttypmod}), -1 when none
         */
        public record Column(int flags, String name, int typeOid, int typeModifier) {
            public Column {
                Objects.requireNonNull(name, "name");
            }

            /** Whether the column is part of the replica identity key. */
            public boolean isKey() {
                return (flags & 1) != 0;
            }
        }
    }

    /**
     * {@code Y}: a non-built-in type used by a following {@link Relation}.
     *
     * @param oid the type's OID
     * @param namespace its schema; empty for {@code pg_catalog}
     * @param name its {@code pg_type.typname}
     */
    record Type(int oid, String namespace, String name) implements PgOutputMessage {
        public Type {
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * {@code I}: a row inserted.
     *
     * @param relationOid the relation's OID, as announced by a {@link Relation}
     * @param newTuple the inserted row
     */
    record Insert(int relationOid, TupleData newTuple) implements PgOutputMessage {
        public Insert {
            Objects.requireNonNull(newTuple, "newTuple");
        }
    }

    /**
     * {@code U}: a row updated.
     *
     * @param relationOid the relation's OID
     * @param oldTuple the old row, or null when the server sent none (replica identity DEFAULT or INDEX and the
     *     key did not change)
     * @param newTuple the new row; columns the update left alone and that are TOASTed arrive as
     *     {@link TupleValue#UNCHANGED_TOAST}
     */
    record Update(int relationOid, OldTuple oldTuple, TupleData newTuple) implements PgOutputMessage {
        public Update {
            Objects.requireNonNull(newTuple, "newTuple");
        }
    }

    /**
     * {@code D}: a row deleted.
     *
     * @param relationOid the relation's OID
     * @param oldTuple the deleted row: complete with REPLICA IDENTITY FULL, key columns only otherwise
     */
    record Delete(int relationOid, OldTuple oldTuple) implements PgOutputMessage {
        public Delete {
            Objects.requireNonNull(oldTuple, "oldTuple");
        }
    }

    /**
     * The old row of an {@link Update} or {@link Delete}.
     *
     * @param keyOnly {@code true} for kind {@code K} (only the replica identity key columns are set, the others
     *     are null), {@code false} for kind {@code O} (the whole old row: REPLICA IDENTITY FULL)
     * @param tuple the values
     */
    record OldTuple(boolean keyOnly, TupleData tuple) {
        public OldTuple {
            Objects.requireNonNull(tuple, "tuple");
        }

        /** The protocol's kind byte: {@code K} or {@code O}. */
        public char kind() {
            return keyOnly ? 'K' : 'O';
        }
    }

    /**
     * {@code T}: one or more relations truncated.
     *
     * @param options bit 1 {@code CASCADE}, bit 2 {@code RESTART IDENTITY}
     * @param relationOids the truncated relations
     */
    record Truncate(int options, List<Integer> relationOids) implements PgOutputMessage {
        public Truncate {
            relationOids = List.copyOf(relationOids);
        }
    }

    /**
     * {@code M}: a logical decoding message ({@code pg_logical_emit_message}); sent only when the
     * {@code messages} option is on.
     *
     * @param flags bit 1: transactional
     * @param lsn the message's WAL position
     * @param prefix the prefix given by the sender
     * @param content the content (read-only)
     */
    record LogicalMessage(int flags, PgLsn lsn, String prefix, ByteBuffer content) implements PgOutputMessage {
        public LogicalMessage {
            Objects.requireNonNull(lsn, "lsn");
            Objects.requireNonNull(prefix, "prefix");
            content = content.asReadOnlyBuffer();
        }

        /** Whether the message was emitted as part of its transaction. */
        public boolean transactional() {
            return (flags & 1) != 0;
        }
    }
}
