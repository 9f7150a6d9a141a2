package io.bronzecdc.model.sequence;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.bronze.BronzeRow;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.SourcePosition;
import io.bronzecdc.model.event.TableId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Gives changes their dense per-table bronze {@code lsn}: the first change of a table after lsn {@code k} gets
 * {@code k + 1}, the next {@code k + 2}, and so on, in the order the changes arrive, which must be source
 * order (snapshot rows first, then by commit position and index in transaction).
 *
 * <p>Deterministic: the same starting lsn per table and the same changes in the same order give the same rows,
 * which is what makes a replay after a failure land on the same lsn. Not thread-safe; engines keep one per
 * table partition and checkpoint {@link #lastLsn()}.
 */
public final class Sequencer {
    private final Map<TableId, Long> lastLsn;
    private final Map<TableId, SourcePosition> lastPosition = new HashMap<>();

    /**
     * @param lastLsnPerTable the highest lsn already in bronze per table ({@code max(lsn)}); absent tables start
     *     at lsn 1
     */
    public Sequencer(Map<TableId, Long> lastLsnPerTable) {
        lastLsnPerTable.forEach((table, lsn) -> {
            if (lsn == null || lsn < 0) {
                throw new IllegalArgumentException(table + ": last lsn must be >= 0 but was " + lsn);
            }
        });
        this.lastLsn = new HashMap<>(lastLsnPerTable);
    }

    /** A sequencer for empty bronze tables. */
    public static Sequencer startingEmpty() {
        return new Sequencer(Map.of());
    }

    /**
     * The bronze row of the next change of its table.
     *
     * @throws ContractViolationException when the change sorts before the previous change of its table: the
     *     engine broke source order, and a dense lsn would then record a false history
     */
    public BronzeRow next(ChangeEvent change) {
        Objects.requireNonNull(change, "change");
        TableId table = change.table();
        SourcePosition previous = lastPosition.get(table);
        if (previous != null && !inOrder(previous, change.position())) {
            throw new ContractViolationException(table + ": change at " + describe(change.position())
                    + " arrived after " + describe(previous) + ", which already got lsn " + lastLsn.get(table)
                    + ". Changes must reach the sequencer in source commit order (snapshot first, then by commit"
                    + " position and index in transaction); check that the engine keeps one ordered stream per table");
        }
        long lsn = lastLsn.getOrDefault(table, 0L) + 1;
        lastLsn.put(table, lsn);
        lastPosition.put(table, change.position());
        return new BronzeRow(lsn, change);
    }

    /** The bronze rows of {@code changes}, in order; see {@link #next}. */
    public List<BronzeRow> assign(List<ChangeEvent> changes) {
        List<BronzeRow> rows = new ArrayList<>(changes.size());
        for (ChangeEvent change : changes) {
            rows.add(next(change));
        }
        return rows;
    }

    /** The highest lsn given so far per table (or given at construction): the state to checkpoint. */
    public Map<TableId, Long> lastLsn() {
        return Map.copyOf(lastLsn);
    }

    /** Snapshot rows may share a position; streamed changes must strictly advance. */
    private static boolean inOrder(SourcePosition previous, SourcePosition next) {
        int order = SourcePosition.SOURCE_ORDER.compare(previous, next);
        return order < 0 || (order == 0 && next.snapshot());
    }

    private static String describe(SourcePosition p) {
        return p.snapshot() ? "snapshot " + p.commitLsn()
                : "commit " + p.commitLsn() + " #" + p.indexInTransaction() + " (tx " + p.txId() + ")";
    }
}
