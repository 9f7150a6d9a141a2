package io.bronzecdc.model.validate;

/**
 * The pipeline's replication slot.
 *
 * @param name slot name
 * @param active whether a consumer is connected
 * @param retainedWalBytes {@code pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)}: WAL the server
 *     keeps for this slot
 */
public record SlotStats(String name, boolean active, long retainedWalBytes) {
}
