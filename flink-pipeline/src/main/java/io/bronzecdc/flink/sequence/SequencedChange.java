package io.bronzecdc.flink.sequence;

import io.bronzecdc.flink.source.CapturedChange;
import io.bronzecdc.model.event.TableEvent;

/**
 * A change with its bronze lsn, flattened for Flink like {@code CapturedChange}: one row of
 * {@code br_<table>_cdc}.
 *
 * @param table source table name
 * @param lsn the dense per-table sequence; for an event, the lsn of the table's last row before it (0: none)
 * @param op I, U or D; or {@link CapturedChange#TRUNCATE} or {@link CapturedChange#SCHEMA_CHANGE} for an event
 *     of the table, recorded in {@code bronze_table_events} instead of the log
 * @param fullRow canonical JSON of the row
 * @param sourceLsn WAL position of the change (0 for snapshot rows)
 * @param txId source transaction id (-1 for snapshot rows, stored as NULL)
 * @param commitMillis commit time in epoch milliseconds (-1 for snapshot rows, stored as NULL)
 * @param commitLsn WAL position of the source transaction's commit as the source reports it (the order key)
 * @param indexInTransaction position of the change inside its source transaction
 */
public record SequencedChange(
        String table, long lsn, char op, String fullRow, long sourceLsn, long txId, long commitMillis,
        long commitLsn, long indexInTransaction) {

    /** The row of {@code change} at {@code lsn} (for an event: the lsn it follows). */
    public static SequencedChange of(CapturedChange change, long lsn) {
        return new SequencedChange(change.table(), lsn, change.op(), change.fullRow(), change.changeLsn(),
                change.txId(), change.commitMillis(), change.orderLsn(), change.indexInTransaction());
    }

    /** Whether this is an event of the table ({@code bronze_table_events}) rather than a row of its log. */
    public boolean isEvent() {
        return op == CapturedChange.TRUNCATE || op == CapturedChange.SCHEMA_CHANGE;
    }

    /** The event this carries. */
    public TableEvent toTableEvent() {
        return new CapturedChange(table, op, fullRow, false, commitLsn, sourceLsn, indexInTransaction, txId,
                commitMillis, indexInTransaction).toTableEvent();
    }

    /** Whether the initial snapshot read this row. */
    public boolean snapshot() {
        return txId < 0;
    }
}
