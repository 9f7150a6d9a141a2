package io.bronzecdc.peer.flinkcdc;

/**
 * One bronze row on its way to the JDBC sink.
 *
 * @param table the source table as {@code TableId.toString()} shows it
 * @param lsn the dense per-table sequence
 * @param op I, U or D
 * @param fullRow the canonical JSON of the row
 * @param sourceLsn the change's WAL position (for snapshot rows what Debezium reports, else 0)
 * @param txId the source transaction; null for snapshot rows
 * @param commitMillis the commit time in epoch milliseconds; null for snapshot rows
 */
public record BronzeRecord(String table, long lsn, String op, String fullRow, long sourceLsn, Long txId,
        Long commitMillis) {
}
