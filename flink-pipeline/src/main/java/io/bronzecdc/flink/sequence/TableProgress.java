package io.bronzecdc.flink.sequence;

import io.bronzecdc.flink.source.CapturedChange;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics and the periodic progress line of one captured table, in the group {@code table=<name>} of the
 * operator that gives its changes their lsn: {@code changes} (counter), {@code changesPerSecond} (meter) and
 * {@code lagMillis} (source commit to this operator, of the latest streamed change).
 */
public final class TableProgress {
    private static final Logger LOG = LoggerFactory.getLogger(TableProgress.class);

    private final String table;
    private final Counter changes;
    private volatile long lagMillis;
    private long loggedChanges;
    private long loggedAt = System.currentTimeMillis();

    public TableProgress(String table, MetricGroup operator) {
        this.table = table;
        MetricGroup group = operator.addGroup("table", table);
        this.changes = group.counter("changes");
        group.meter("changesPerSecond", new MeterView(changes));
        group.gauge("lagMillis", () -> lagMillis);
    }

    /** Counts one change given its lsn. */
    public void record(CapturedChange change) {
        changes.inc();
        if (!change.snapshot()) {
            lagMillis = Math.max(0, System.currentTimeMillis() - change.commitMillis());
        }
    }

    /** Logs the table's last lsn, the changes since the previous line and the lag. */
    public void log(Long lastLsn) {
        long now = System.currentTimeMillis();
        long delta = changes.getCount() - loggedChanges;
        LOG.info("{}: lsn {} (+{} in {} s, {} changes/s), lag {} ms", table, lastLsn, delta,
                (now - loggedAt) / 1000, delta * 1000 / Math.max(1, now - loggedAt), lagMillis);
        loggedChanges = changes.getCount();
        loggedAt = now;
    }

    /** Milliseconds since the last {@link #log} line. */
    public long sinceLogged() {
        return System.currentTimeMillis() - loggedAt;
    }
}
