package io.bronzecdc.model.pgoutput;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.codec.CanonicalRowWriter;
import io.bronzecdc.model.codec.PgTextRowWriter;
import io.bronzecdc.model.codec.TypeShapes;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.SourcePosition;
import io.bronzecdc.model.event.TableEvent;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.event.UpdateRule;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Turns a pgoutput stream (protocol version 1, text format) into {@link ChangeEvent}s with canonical
 * {@code full_row}s. Feed it every message of a decoding session in stream order, each with the {@code lsn}
 * column the slot function returned for it; each Insert, Update or Delete of a kept table gives one event,
 * except an Update that changes the row's primary key or belongs to a table without one: it gives a D of the old
 * row and then an I of the new one ({@link UpdateRule}, DESIGN.md section 2).
 *
 * <p>State: the relations and types announced so far, and the open transaction (from its Begin: commit LSN,
 * commit time, xid). {@code indexInTransaction} is twice the index of the change message in its transaction
 * (counting every change message from 0, kept or skipped), and one more for the I of a split update; so a
 * change's position does not depend on which tables the caller selects, and nothing sorts between a D and its I.
 *
 * <p>The bronze contract needs the complete row for every change, so the decoder refuses, with a
 * {@link ContractViolationException} naming the table and the fix, what would lose data: an update whose
 * unchanged TOASTed value cannot be filled from a full old row, an update or delete that carries only the key
 * columns (both mean the table lacks REPLICA IDENTITY FULL), a TRUNCATE of a kept table, binary values, and
 * changes outside a transaction or for a relation never announced.
 *
 * <p>A decoder made with a {@link TableEvent} sink hands it, in stream order with the changes, each TRUNCATE of a
 * kept table and each schema-change message of the source's trigger for a kept table, instead of refusing the
 * TRUNCATE.
 *
 * <p>Changes are read in place from the message bytes and their rows written as UTF-8 by one reused
 * {@link PgTextRowWriter}, with no String per value; a change that path does not take (binary values, a key-only old
 * row, an unfillable unchanged-TOAST value, a malformed value or message) goes through {@link PgOutputParser} and one
 * reused {@link CanonicalRowWriter}, which give the same rows and word every error.
 *
 * <p>Not thread-safe: one decoder per stream.
 */
public final class PgOutputDecoder {
    private final RelationCatalog catalog;
    private final CanonicalRowWriter writer = new CanonicalRowWriter();
    private final PgTextRowWriter rowWriter = new PgTextRowWriter();
    private final RawTuple newTuple = new RawTuple();
    private final RawTuple oldTuple = new RawTuple();
    private final Predicate<TableId> keep;
    private final Consumer<TableEvent> events;
    private final SkipRule skip;
    private PgOutputMessage.Begin transaction;
    private long nextIndex;

    /**
     * @param keep which tables to emit changes for; the changes of other tables are skipped without decoding
     *     their rows
     * @param typeShapes how {@code to_jsonb} renders a type that is not one of the common built-in types (for
     *     example {@link io.bronzecdc.model.source.PgTypeCatalog}); asked once per such column of a kept table when
     *     its Relation message arrives, never per value
     * @param updateRules each kept table's {@link UpdateRule}, from its primary key as the catalog gave it when the
     *     capture started ({@link io.bronzecdc.model.source.SourceCatalog#updateRules}); asked once per Relation
     *     message of a kept table
     */
    public PgOutputDecoder(Predicate<TableId> keep, TypeShapes typeShapes, Function<TableId, UpdateRule> updateRules) {
        this(keep, typeShapes, updateRules, null);
    }

    /**
     * A decoder that hands TRUNCATEs and schema changes of kept tables to {@code events} (see the class comment).
     *
     * @param events receives each event when its message is decoded, so in order with the changes; null to refuse
     *     TRUNCATE and ignore schema-change messages
     */
    public PgOutputDecoder(Predicate<TableId> keep, TypeShapes typeShapes, Function<TableId, UpdateRule> updateRules,
            Consumer<TableEvent> events) {
        this(keep, typeShapes, updateRules, events, SkipRule.NONE);
    }

    /**
     * A decoder that also drops, before decoding their rows, the changes and events {@code skip} names (for
     * example those a table's late snapshot already holds, {@link io.bronzecdc.model.source.SnapshotHandover}).
     */
    public PgOutputDecoder(Predicate<TableId> keep, TypeShapes typeShapes, Function<TableId, UpdateRule> updateRules,
            Consumer<TableEvent> events, SkipRule skip) {
        this.catalog = new RelationCatalog(keep, typeShapes, updateRules);
        this.keep = keep;
        this.events = events;
        this.skip = Objects.requireNonNull(skip, "skip");
    }

    /**
     * Which changes of kept tables to drop without decoding their rows: their transaction is already captured
     * otherwise (a snapshot holds it). Asked once per change or event, so it must be cheap.
     */
    @FunctionalInterface
    public interface SkipRule {
        /** Drops nothing. */
        SkipRule NONE = (table, xid, commitLsn) -> false;

        /**
         * @param xid the 32-bit xid of the top-level transaction, as its Begin carries it
         * @param commitLsn the position of the transaction's commit record
         */
        boolean skips(TableId table, long xid, PgLsn commitLsn);
    }

    /**
     * Decodes one message from its bytes (the {@code data} column), from the buffer's position to its limit.
     * Changes of skipped tables are recognized from their relation OID and not parsed further.
     *
     * @param lsn the message's {@code lsn} column: for a change, its WAL position ({@code source_lsn})
     * @return the change events in order: none for messages that are not changes of a kept table, two (D then I)
     *     for a split update, else one
     * @throws ContractViolationException when the message cannot be captured as a complete change (see the class
     *     comment)
     */
    public List<ChangeEvent> decode(PgLsn lsn, ByteBuffer data) {
        if (data.remaining() >= 5) {
            char kind = (char) data.get(data.position());
            if (kind == 'I' || kind == 'U' || kind == 'D') {
                DecodedRelation relation = startChange(kind, data.getInt(data.position() + 1));
                long index = nextIndex++;
                if (!relation.kept() || skipped(relation.table())) {
                    return List.of();
                }
                List<ChangeEvent> changes = data.hasArray() ? inPlace(lsn, relation, index, data) : null;
                if (changes != null) {
                    data.position(data.limit());
                    return changes;
                }
                return change(lsn, relation, index, PgOutputParser.parse(data));
            }
        }
        return decode(lsn, PgOutputParser.parse(data));
    }

    /**
     * Decodes one parsed message; see {@link #decode(PgLsn, ByteBuffer)}.
     */
    public List<ChangeEvent> decode(PgLsn lsn, PgOutputMessage message) {
        Objects.requireNonNull(lsn, "lsn");
        if (message instanceof PgOutputMessage.Insert insert) {
            return changeOf(lsn, 'I', insert.relationOid(), message);
        } else if (message instanceof PgOutputMessage.Update update) {
            return changeOf(lsn, 'U', update.relationOid(), message);
        } else if (message instanceof PgOutputMessage.Delete delete) {
            return changeOf(lsn, 'D', delete.relationOid(), message);
        } else if (message instanceof PgOutputMessage.Begin begin) {
            begin(begin);
        } else if (message instanceof PgOutputMessage.Commit commit) {
            commit(commit);
        } else if (message instanceof PgOutputMessage.Relation relation) {
            catalog.put(relation);
        } else if (message instanceof PgOutputMessage.Type type) {
            catalog.put(type);
        } else if (message instanceof PgOutputMessage.Truncate truncate) {
            truncate(lsn, truncate);
        } else if (message instanceof PgOutputMessage.LogicalMessage logical) {
            schemaChange(lsn, logical);
        } else if (!(message instanceof PgOutputMessage.Origin)) {
            throw new IllegalStateException("unhandled pgoutput message " + message.getClass().getName());
        }
        return List.of();
    }

    /** Whether a Begin was decoded whose Commit has not been decoded yet. */
    public boolean inTransaction() {
        return transaction != null;
    }

    private List<ChangeEvent> changeOf(PgLsn lsn, char kind, int relationOid, PgOutputMessage message) {
        DecodedRelation relation = startChange(kind, relationOid);
        long index = nextIndex++;
        return relation.kept() && !skipped(relation.table()) ? change(lsn, relation, index, message) : List.of();
    }

    /** Whether the open transaction's changes of {@code table} are dropped ({@link SkipRule}). */
    private boolean skipped(TableId table) {
        return skip.skips(table, transaction.xid(), transaction.finalLsn());
    }

    private void begin(PgOutputMessage.Begin begin) {
        if (transaction != null) {
            throw new ContractViolationException("pgoutput Begin of transaction " + begin.xid() + " (commit "
                    + begin.finalLsn() + ") arrived while transaction " + transaction.xid() + " (commit "
                    + transaction.finalLsn() + ") had no Commit yet. Feed the decoder whole transactions, in order");
        }
        transaction = begin;
        nextIndex = 0;
    }

    private void commit(PgOutputMessage.Commit commit) {
        if (transaction == null) {
            throw new ContractViolationException("pgoutput Commit at " + commit.commitLsn() + " arrived outside a"
                    + " transaction (no Begin before it). Feed the decoder whole transactions, from their Begin");
        }
        if (!commit.commitLsn().equals(transaction.finalLsn())) {
            throw new ContractViolationException("pgoutput Commit of transaction " + transaction.xid() + ": expected"
                    + " commit LSN " + transaction.finalLsn() + " (from its Begin) but found " + commit.commitLsn()
                    + ". Messages of different transactions were mixed; feed them in stream order");
        }
        transaction = null;
    }

    private DecodedRelation startChange(char kind, int relationOid) {
        DecodedRelation relation = catalog.get(relationOid, kind);
        if (transaction == null) {
            throw new ContractViolationException(relation.displayName() + ": pgoutput change '" + kind
                    + "' arrived outside a transaction (no Begin before it), so it has no commit position. Feed the"
                    + " decoder whole transactions, from their Begin");
        }
        return relation;
    }

    private List<ChangeEvent> change(PgLsn lsn, DecodedRelation relation, long index, PgOutputMessage message) {
        SourcePosition position = position(lsn, 2 * index);
        if (message instanceof PgOutputMessage.Insert insert) {
            String row = rowImage(relation, Op.INSERT, lsn, insert.newTuple(), null);
            return List.of(new ChangeEvent(relation.table(), Op.INSERT, row, position));
        } else if (message instanceof PgOutputMessage.Update update) {
            return update(lsn, relation, index, update);
        } else if (message instanceof PgOutputMessage.Delete delete) {
            requireFullOldRow(relation, Op.DELETE, lsn, delete.oldTuple());
            String row = rowImage(relation, Op.DELETE, lsn, delete.oldTuple().tuple(), null);
            return List.of(new ChangeEvent(relation.table(), Op.DELETE, row, position));
        }
        throw new IllegalStateException("not a change message: " + message.getClass().getName());
    }

    /**
     * The change read in place from the message bytes ({@link RawTuple}) and written by {@link PgTextRowWriter}; null,
     * with nothing changed, when the message is one this path leaves to {@link PgOutputParser} and
     * {@link #change(PgLsn, DecodedRelation, long, PgOutputMessage)}: anything unusual, and every error, so that
     * path gives each error its words. The buffer's position is left alone.
     */
    private List<ChangeEvent> inPlace(PgLsn lsn, DecodedRelation relation, long index, ByteBuffer data) {
        byte[] bytes = data.array();
        int limit = data.arrayOffset() + data.limit();
        int p = data.arrayOffset() + data.position();
        char kind = (char) bytes[p];
        p += 5; // kind and relation OID
        if (p >= limit) {
            return null;
        }
        char marker = (char) bytes[p++];
        try {
            switch (kind) {
                case 'I' -> {
                    if (marker != 'N' || newTuple.read(bytes, p, limit) != limit) {
                        return null;
                    }
                    String row = rowInPlace(relation, newTuple, null);
                    return row == null ? null
                            : List.of(new ChangeEvent(relation.table(), Op.INSERT, row, position(lsn, 2 * index)));
                }
                case 'D' -> {
                    if (marker != 'O' || oldTuple.read(bytes, p, limit) != limit) {
                        return null;
                    }
                    String row = rowInPlace(relation, oldTuple, null);
                    return row == null ? null
                            : List.of(new ChangeEvent(relation.table(), Op.DELETE, row, position(lsn, 2 * index)));
                }
                default -> {
                    return updateInPlace(lsn, relation, index, bytes, p, limit, marker);
                }
            }
        } catch (ContractViolationException e) {
            return null;
        }
    }

    private List<ChangeEvent> updateInPlace(
            PgLsn lsn, DecodedRelation relation, long index, byte[] bytes, int p, int limit, char marker) {
        RawTuple old = null;
        if (marker == 'O') {
            p = oldTuple.read(bytes, p, limit);
            if (p < 0 || p >= limit) {
                return null;
            }
            old = oldTuple;
            marker = (char) bytes[p++];
        }
        UpdateRule rule = relation.updateRule();
        if (marker != 'N' || newTuple.read(bytes, p, limit) != limit || (old == null && rule.isKeyless())) {
            return null;
        }
        RawTuple before = old;
        boolean split = rule.splits(before == null ? null : column -> rawValue(relation, before, null, column),
                column -> rawValue(relation, newTuple, before, column));
        String afterRow = rowInPlace(relation, newTuple, old);
        String beforeRow = split ? rowInPlace(relation, old, null) : null;
        if (afterRow == null || (split && beforeRow == null)) {
            return null;
        }
        return UpdateRule.changes(relation.table(), split, beforeRow, afterRow, position(lsn, 2 * index),
                split ? position(lsn, 2 * index + 1) : null);
    }

    /** {@link #valueOf} over raw tuples. */
    private static RawTuple.Value rawValue(DecodedRelation relation, RawTuple tuple, RawTuple old, String column) {
        int i = relation.indexOf(column);
        if (i < 0 || i >= tuple.count) {
            return null;
        }
        return tuple.kinds[i] == 'u' && old != null && i < old.count ? old.value(i) : tuple.value(i);
    }

    /**
     * {@link #rowImage} over a raw tuple, an unchanged-TOAST value filled from {@code old} (an update's after-image);
     * null when the row is one to leave to it.
     */
    private String rowInPlace(DecodedRelation relation, RawTuple tuple, RawTuple old) {
        List<DecodedRelation.Column> columns = relation.columns();
        if (tuple.count != columns.size()) {
            return null;
        }
        rowWriter.begin();
        for (int i = 0; i < tuple.count; i++) {
            RawTuple values = tuple;
            byte kind = tuple.kinds[i];
            if (kind == 'u') {
                if (old == null || i >= old.count || old.kinds[i] == 'u') {
                    return null;
                }
                values = old;
                kind = old.kinds[i];
            }
            PgTextRowWriter.Column column = columns.get(i).writerColumn();
            if (kind == 'n') {
                rowWriter.nullValue(column);
            } else if (!rowWriter.text(column, values.bytes, values.starts[i], values.lengths[i])) {
                return null;
            }
        }
        return rowWriter.end();
    }

    /** One U, or D(old row) then I(new row) as the table's {@link UpdateRule} says. */
    private List<ChangeEvent> update(PgLsn lsn, DecodedRelation relation, long index, PgOutputMessage.Update update) {
        TupleData old = null;
        if (update.oldTuple() != null) {
            requireFullOldRow(relation, Op.UPDATE, lsn, update.oldTuple());
            old = update.oldTuple().tuple();
        }
        UpdateRule rule = relation.updateRule();
        if (old == null && rule.isKeyless()) {
            throw new ContractViolationException(where(relation, Op.UPDATE, lsn) + ": the table has no primary key,"
                    + " so bronze logs its update as a D of the old row and an I of the new one, but the server sent no"
                    + " old row (replica identity " + relation.replicaIdentityName() + "). Fix: " + alterTable(relation)
                    + lostToTheSlot());
        }
        TupleData after = update.newTuple();
        TupleData before = old;
        boolean split = rule.splits(before == null ? null : column -> valueOf(relation, before, null, column),
                column -> valueOf(relation, after, before, column));
        String afterRow = rowImage(relation, Op.UPDATE, lsn, after, old);
        String beforeRow = split ? rowImage(relation, Op.DELETE, lsn, old, null) : null;
        return UpdateRule.changes(relation.table(), split, beforeRow, afterRow, position(lsn, 2 * index),
                split ? position(lsn, 2 * index + 1) : null);
    }

    /** A column's value in a tuple (an unchanged TOAST marker filled from {@code old}), or null when absent. */
    private static TupleValue valueOf(DecodedRelation relation, TupleData tuple, TupleData old, String column) {
        int i = relation.indexOf(column);
        if (i < 0 || i >= tuple.size()) {
            return null;
        }
        TupleValue value = tuple.get(i);
        return value instanceof TupleValue.UnchangedToast && old != null && i < old.size() ? old.get(i) : value;
    }

    private SourcePosition position(PgLsn lsn, long indexInTransaction) {
        return SourcePosition.streamed(transaction.finalLsn(), lsn, indexInTransaction, transaction.xid(),
                transaction.commitTime());
    }

    private String rowImage(DecodedRelation relation, Op op, PgLsn lsn, TupleData tuple, TupleData old) {
        List<DecodedRelation.Column> columns = relation.columns();
        if (tuple.size() != columns.size()) {
            throw new ContractViolationException(where(relation, op, lsn) + " has " + tuple.size()
                    + " column values but its Relation message announced " + columns.size() + " columns."
                    + " Feed the decoder every Relation message of the session, in order");
        }
        writer.begin();
        for (int i = 0; i < columns.size(); i++) {
            DecodedRelation.Column column = columns.get(i);
            TupleValue value = tuple.get(i);
            if (value instanceof TupleValue.UnchangedToast) {
                value = unchangedToast(relation, op, lsn, column, old == null ? null : old.get(i));
            }
            String text = text(relation, op, lsn, column, value);
            try {
                writer.textValue(column.name(), column.shape(), text);
            } catch (ContractViolationException e) {
                throw new ContractViolationException(where(relation, op, lsn) + ": " + e.getMessage(), e);
            }
        }
        return writer.end();
    }

    private String text(
            DecodedRelation relation, Op op, PgLsn lsn, DecodedRelation.Column column, TupleValue value) {
        if (value instanceof TupleValue.Text text) {
            return text.value();
        }
        if (value instanceof TupleValue.Null) {
            return null;
        }
        throw new ContractViolationException(where(relation, op, lsn) + ", column " + column.name() + ": expected"
                + " a text value but found kind '" + value.kind() + "'. The decoder reads text format only: do not"
                + " pass the 'binary' option to the slot function");
    }

    private TupleValue unchangedToast(
            DecodedRelation relation, Op op, PgLsn lsn, DecodedRelation.Column column, TupleValue old) {
        if (op == Op.UPDATE && old != null && !(old instanceof TupleValue.UnchangedToast)) {
            return old;
        }
        String found = op != Op.UPDATE ? "an unchanged-TOAST marker in a " + op + " row"
                : old == null ? "no old row to fill it from"
                : "an unchanged-TOAST marker in the old row too";
        throw new ContractViolationException(where(relation, op, lsn) + ", column " + column.name() + ": the"
                + " server sent only an unchanged-TOAST marker for the value and " + found + " (replica identity "
                + relation.replicaIdentityName() + "). full_row needs the complete row, so the table must log whole"
                + " old rows. Fix: " + alterTable(relation) + lostToTheSlot());
    }

    private void requireFullOldRow(DecodedRelation relation, Op op, PgLsn lsn, PgOutputMessage.OldTuple old) {
        if (old.keyOnly()) {
            throw new ContractViolationException(where(relation, op, lsn) + ": expected the whole old row (tuple"
                    + " kind 'O', REPLICA IDENTITY FULL) but found only the key columns (kind 'K', replica identity "
                    + relation.replicaIdentityName() + "), so the " + (op == Op.DELETE ? "before-image" : "row")
                    + " would be incomplete. Fix: " + alterTable(relation) + lostToTheSlot());
        }
    }

    private void truncate(PgLsn lsn, PgOutputMessage.Truncate truncate) {
        for (int oid : truncate.relationOids()) {
            DecodedRelation relation = catalog.get(oid, 'T');
            if (relation.kept() && transaction != null && skipped(relation.table())) {
                continue;
            } else if (relation.kept() && events != null && transaction != null) {
                events.accept(TableEvent.truncate(relation.table(), eventPosition(lsn)));
            } else if (relation.kept()) {
                throw new ContractViolationException(relation.displayName() + ": TRUNCATE at " + lsn
                        + (transaction != null ? " (tx " + transaction.xid() + ")" : "") + " cannot be captured as"
                        + " row changes: the server sends no deleted rows, so bronze would keep rows the source no"
                        + " longer has. Do not TRUNCATE captured tables: DELETE the rows instead, or re-snapshot the"
                        + " table into a fresh bronze table after a truncate");
            }
        }
    }

    private void schemaChange(PgLsn lsn, PgOutputMessage.LogicalMessage logical) {
        if (events == null || transaction == null || !logical.transactional()) {
            return;
        }
        Optional<SchemaChangeMessage> message = SchemaChangeMessage.of(logical);
        if (message.isEmpty()) {
            return;
        }
        SchemaChangeMessage change = message.get();
        TableId table;
        try {
            table = new TableId(change.schema(), change.table());
        } catch (IllegalArgumentException e) {
            return; // a name no captured table can have
        }
        if (keep.test(table) && !skipped(table)) {
            events.accept(new TableEvent(table, TableEvent.Kind.SCHEMA_CHANGE, eventPosition(lsn),
                    change.commandTag(), change.ddl(), change.columnsBefore(), change.columns()));
        }
    }

    /** An event's position: before the next change of its transaction. */
    private SourcePosition eventPosition(PgLsn lsn) {
        return SourcePosition.streamed(transaction.finalLsn(), lsn, nextIndex, transaction.xid(),
                transaction.commitTime());
    }

    private String where(DecodedRelation relation, Op op, PgLsn lsn) {
        return relation.displayName() + ": " + op + " at " + lsn + " (tx " + transaction.xid() + ", commit "
                + transaction.finalLsn() + ")";
    }

    /**
     * The second half of the fix for a change already in the WAL without its whole row: the slot will hand out the
     * same incomplete change again, so only a new snapshot brings the table's rows back whole.
     */
    private static String lostToTheSlot() {
        return ". The WAL already holds this change without the complete row, so it cannot be captured whole from"
                + " this slot: after the ALTER, rebuild the pipeline from a new snapshot (bronze-cdc drop --config"
                + " <file> --yes, drop its bronze tables or point bronze.schema at an empty schema, and start again)";
    }

    private static String alterTable(DecodedRelation relation) {
        return "ALTER TABLE " + relation.displayName() + " REPLICA IDENTITY FULL (for a partitioned table, also on"
                + " each partition: ALTER TABLE <partition> REPLICA IDENTITY FULL)";
    }
}
