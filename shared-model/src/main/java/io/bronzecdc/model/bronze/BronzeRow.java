package io.bronzecdc.model.bronze;

import io.bronzecdc.model.event.ChangeEvent;
import java.sql.Timestamp;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * A change with its dense bronze sequence number: one row of {@code br_<table>_cdc} ({@code load_ts} is set by
 * the database).
 *
 * @param lsn the dense per-table sequence, 1..N in source commit order
 * @param change the change it records
 */
public record BronzeRow(long lsn, ChangeEvent change) {

    public BronzeRow {
        Objects.requireNonNull(change, "change");
        if (lsn < 1) {
            throw new IllegalArgumentException(change.table() + ": bronze lsn must be >= 1 but was " + lsn);
        }
    }

    /** The {@code op} column. */
    public String opCode() {
        return String.valueOf(change.op().code());
    }

    /** The {@code source_lsn} column: the change's own WAL position as a 64-bit number. */
    public long sourceLsn() {
        return change.position().changeLsn().asLong();
    }

    /** The {@code tx_id} column; null for snapshot rows. */
    public Long txId() {
        return change.position().txId();
    }

    /**
     * The {@code commit_ts} column, in milliseconds; null for snapshot rows. Both engines store the same value:
     * the Flink engine's decoder (Debezium 1.9 inside Flink CDC 3.5) reports commit times in milliseconds only.
     */
    public Timestamp commitTs() {
        var commitTime = change.position().commitTime();
        return commitTime == null ? null : Timestamp.from(commitTime.truncatedTo(ChronoUnit.MILLIS));
    }
}
