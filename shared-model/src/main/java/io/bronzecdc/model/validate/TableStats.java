package io.bronzecdc.model.validate;

import java.time.Duration;

/**
 * What one bronze change log holds.
 *
 * @param table source table name
 * @param rows {@code count(*)}
 * @param lsn min, max and distinct lsn
 * @param ops the operation mix
 * @param nonObjectPayloads rows whose full_row is not a JSON object
 * @param lag {@code now() - max(load_ts)}; null when the table is empty
 * @param lsnPerSecond rows loaded per second over the last five minutes
 */
public record TableStats(
        String table, long rows, LsnRange lsn, OpMix ops, long nonObjectPayloads, Duration lag, double lsnPerSecond) {

    /**
     * @param min {@code min(lsn)}, 0 when empty
     * @param max {@code max(lsn)}, 0 when empty
     * @param distinct {@code count(distinct lsn)}
     */
    public record LsnRange(long min, long max, long distinct) {
    }

    /**
     * @param inserts rows with op I (snapshot rows included)
     * @param updates rows with op U
     * @param deletes rows with op D
     */
    public record OpMix(long inserts, long updates, long deletes) {
    }
}
