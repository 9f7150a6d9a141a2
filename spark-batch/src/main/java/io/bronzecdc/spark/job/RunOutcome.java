package io.bronzecdc.spark.job;

import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What one committed run did.
 *
 * @param snapshot whether this was the first run (initial snapshot) rather than a stream run
 * @param appended bronze rows appended per table
 * @param skipped decoded changes skipped because bronze already held them (a rerun after a crash between the
 *     bronze commit and the slot advance)
 * @param from the position bronze covered before the run (the consistent point for a snapshot run)
 * @param covered the position bronze covers now; the slot was advanced to it
 * @param messages pgoutput messages read (0 for a snapshot run)
 * @param preparation lock, preflight and migrations
 * @param processing reading, decoding, sequencing and writing up to the commit
 * @param writing the part of {@code processing} spent in the Spark job (read, encode, sequence, stage) and in
 *     publishing its rows
 * @param placement where the Spark tasks ran, per kind of work ({@link io.bronzecdc.spark.exec.WorkPlacement})
 * @param batch the Structured Streaming batch this was, or null for a run outside the query (the snapshot, new
 *     tables)
 */
public record RunOutcome(boolean snapshot, Map<TableId, Long> appended, long skipped, PgLsn from, PgLsn covered,
        long messages, Duration preparation, Duration processing, Duration writing, String placement, Long batch) {

    public RunOutcome {
        appended = Map.copyOf(appended);
        Objects.requireNonNull(placement, "placement");
    }

    /** Rows appended over all tables. */
    public long total() {
        return appended.values().stream().mapToLong(Long::longValue).sum();
    }

    /** One line for the log and the console. */
    public String summary() {
        return (batch == null ? "" : "batch " + batch + ": ") + (snapshot ? "snapshot" : "stream") + " run: appended "
                + total() + " rows ("
                + appended.entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .map(e -> e.getKey().name() + " " + e.getValue()).collect(Collectors.joining(", "))
                + "), skipped " + skipped + " already in bronze, " + messages + " pgoutput messages, position " + from
                + " -> " + covered + "; preparation " + preparation.toMillis() + " ms, processing "
                + processing.toMillis() + " ms (Spark job and publish " + writing.toMillis() + " ms); " + placement;
    }
}
