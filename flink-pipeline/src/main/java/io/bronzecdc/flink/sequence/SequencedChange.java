package io.bronzecdc.flink.sequence;

/**
 * A change with its bronze lsn, flattened for Flink like {@code CapturedChange}: one row of
 * {@code br_<table>_cdc}.
 *
 * @param table source table name
 * @param lsn the dense per-table sequence
 * @param op I, U or D
 * @param fullRow canonical JSON of the row
 * @param sourceLsn WAL position of the change (0 for snapshot rows)
 * @param txId source transaction id (-1 for snapshot rows, stored as NULL)
 * @param commitMillis commit time in epoch milliseconds (-1 for snapshot rows, stored as NULL)
 */
public record SequencedChange(
        String table, long lsn, char op, String fullRow, long sourceLsn, long txId, long commitMillis) {

    /** Whether the initial snapshot read this row. */
    public boolean snapshot() {
        return txId < 0;
    }
}
