package io.bronzecdc.spark.transform;

import io.bronzecdc.model.codec.TypeShapes;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableEvent;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.event.UpdateRule;
import io.bronzecdc.model.pgoutput.PgOutputDecoder;
import io.bronzecdc.model.pgoutput.PgOutputMessage;
import io.bronzecdc.model.pgoutput.PgOutputParser;
import io.bronzecdc.model.source.SnapshotHandover;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decodes one peek of the slot into the changes bronze does not hold yet, and tracks how far the peek reached.
 *
 * <p>Why a filter: the slot advances only after the bronze commit, so after a run that died between its commit
 * and the advance, the next peek starts with transactions bronze already holds. Bronze records, in the same
 * transaction as its rows, the end of the last commit it covers ({@code covered}); a transaction whose commit
 * record starts before that position was appended (or was in the initial snapshot, whose consistent point is
 * recorded the same way) and is skipped whole. Commit records are written in commit order, so this is exact.
 *
 * <p>A table brought in by this run ({@link io.bronzecdc.model.source.LateTableSnapshot}) has a
 * {@link SnapshotHandover}: its changes in transactions visible in its snapshot are in bronze as snapshot rows, so
 * they are dropped before their rows are decoded; its other changes are kept, whatever their commit position.
 *
 * <p>Not thread-safe; one per peek. Decoding runs on the driver: pgoutput is a stateful stream (relations are
 * announced once per decoding session, a change belongs to the open transaction), see the spark-batch README.
 */
public final class StreamDecoder {
    private final PgOutputDecoder decoder;
    private final PgLsn covered;
    private final List<TableEvent> events = new ArrayList<>();
    private PgLsn reached;
    private long skipped;
    private long heldBySnapshots;

    /**
     * @param tables the captured tables with how each logs its updates (from its primary key, read by this run:
     *     {@link io.bronzecdc.model.source.SourceCatalog#updateRules}); changes of other published tables are dropped
     * @param typeShapes how {@code to_jsonb} renders the column types that are not common built-in types (a
     *     {@link io.bronzecdc.model.source.PgTypeCatalog} on the source database)
     * @param covered the position bronze already covers (exclusive upper bound of what to skip)
     */
    public StreamDecoder(Map<TableId, UpdateRule> tables, TypeShapes typeShapes, PgLsn covered) {
        this(tables, typeShapes, covered, Map.of());
    }

    /**
     * @param handovers the tables brought in by this run's late snapshots, each with which of its streamed changes
     *     its snapshot holds
     */
    public StreamDecoder(Map<TableId, UpdateRule> tables, TypeShapes typeShapes, PgLsn covered,
            Map<TableId, SnapshotHandover> handovers) {
        Map<TableId, UpdateRule> kept = Map.copyOf(tables);
        Map<TableId, SnapshotHandover> held = Map.copyOf(handovers);
        this.decoder = new PgOutputDecoder(kept::containsKey, typeShapes, kept::get, event -> {
            if (event.position().commitLsn().compareTo(covered) < 0) {
                skipped++;
            } else {
                events.add(event);
            }
        }, (table, xid, commitLsn) -> {
            SnapshotHandover handover = held.get(table);
            if (handover != null && handover.holds(xid, commitLsn)) {
                heldBySnapshots++;
                return true;
            }
            return false;
        });
        this.covered = covered;
        this.reached = covered;
    }

    /**
     * Decodes one message.
     *
     * @return the changes to append (two, D then I, for an update logged as such), or none for protocol messages,
     *     changes of other tables and changes bronze already holds
     */
    public List<ChangeEvent> decode(PgLsn lsn, ByteBuffer data) {
        events.clear();
        if (data.remaining() > 0 && data.get(data.position()) == 'C') {
            PgOutputMessage message = PgOutputParser.parse(data);
            decoder.decode(lsn, message);
            PgLsn end = ((PgOutputMessage.Commit) message).endLsn();
            if (end.compareTo(reached) > 0) {
                reached = end;
            }
            return List.of();
        }
        List<ChangeEvent> changes = decoder.decode(lsn, data);
        if (!changes.isEmpty() && changes.get(0).position().commitLsn().compareTo(covered) < 0) {
            skipped += changes.size();
            return List.of();
        }
        return changes;
    }

    /**
     * The events (TRUNCATE, schema change) of captured tables the last {@link #decode} found, in order, that bronze
     * does not hold yet; each comes before the changes that call returned, if any (they never come together: one
     * message is either). Cleared by the next call.
     */
    public List<TableEvent> events() {
        return List.copyOf(events);
    }

    /**
     * The end of the last commit decoded, or the covered position when no later commit came: bronze covers up
     * to here once the decoded changes are committed, and the slot may advance to it.
     */
    public PgLsn reached() {
        return reached;
    }

    /** Changes and events skipped because bronze already held them. */
    public long skipped() {
        return skipped;
    }

    /** Changes and events of late tables dropped because their snapshot holds them. */
    public long heldBySnapshots() {
        return heldBySnapshots;
    }

    /** Whether the last message left a transaction open (a peek always ends at a Commit). */
    public boolean inTransaction() {
        return decoder.inTransaction();
    }
}
