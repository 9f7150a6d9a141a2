package io.bronzecdc.flink.sink;

import io.bronzecdc.flink.sequence.TableProgress;
import io.bronzecdc.flink.source.CapturedChange;
import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.bronze.BronzeLogs;
import io.bronzecdc.model.bronze.BronzeMigrator;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.bronze.TableEventWriter;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.MetricGroup;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subtask of {@link BronzeLogSink}: gives each accepted change the next lsn of its table, buffers the rows as
 * COPY text and commits whole source transactions.
 *
 * <p>Invariant: the open database transaction holds either complete source transactions only, or (once a
 * transaction outgrew the buffer) the transaction still arriving alone. So at a checkpoint barrier everything
 * complete can be committed, and what is not stays out of bronze until its end arrives: the barrier's checkpoint
 * does not cover it (the source restarts before it), so a restore sends it again whole.
 */
final class BronzeLogWriter implements SinkWriter<CapturedChange> {
    private static final Logger LOG = LoggerFactory.getLogger(BronzeLogWriter.class);
    private static final long PROGRESS_LOG_MILLIS = 10_000;

    private final BronzeSink.Settings settings;
    private final BronzeSchema schema;
    private final long commitIntervalNanos;
    private final ProcessingTimeService time;
    private final MetricGroup metrics;
    private final DatabaseGauges gauges;
    private final Connection connection;
    private final CopyManager copy;
    private final TableEventWriter eventWriter;
    private final Map<String, TableLog> tables = new HashMap<>();
    /** The tables with changes of the source transaction still arriving. */
    private final Set<TableLog> arriving = new LinkedHashSet<>();
    private int bufferedBytes;
    /** Whether the open database transaction holds changes of the transaction still arriving. */
    private boolean arrivingWritten;
    /** Whether the open database transaction holds anything. */
    private boolean written;
    private boolean timerSet;
    private long lastCommitNanos = System.nanoTime();
    private long newestCommitMillis = -1;
    private long skipped;
    private volatile long commitLatencyMillis;

    private BronzeLogWriter(BronzeSink.Settings settings, SlotWatch slot, Duration commitInterval,
            WriterInitContext context, Connection connection) throws SQLException {
        this.settings = settings;
        this.schema = new BronzeSchema(settings.schema());
        this.commitIntervalNanos = commitInterval.toNanos();
        this.time = context.getProcessingTimeService();
        this.metrics = context.metricGroup();
        this.connection = connection;
        this.copy = connection.unwrap(PGConnection.class).getCopyAPI();
        this.eventWriter = new TableEventWriter(schema);
        MetricGroup sink = metrics.addGroup(SinkMetrics.GROUP);
        sink.gauge(SinkMetrics.COMMIT_LATENCY_MILLIS, () -> commitLatencyMillis);
        this.gauges = slot != null && context.getTaskInfo().getIndexOfThisSubtask() == 0
                ? DatabaseGauges.register(sink, settings, slot) : null;
    }

    static BronzeLogWriter open(BronzeSink.Settings settings, SlotWatch slot, Duration commitInterval,
            WriterInitContext context) throws IOException {
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        try {
            Connection connection = settings.target().connect();
            connection.setAutoCommit(false);
            return new BronzeLogWriter(settings, slot, commitInterval, context, connection);
        } catch (SQLException e) {
            throw new IOException("bronze sink subtask " + subtask + " could not connect to "
                    + settings.target().jdbcUrl() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(CapturedChange change, Context context) throws IOException {
        try {
            TableLog log = log(change.table());
            if (change.isEnd()) {
                end(log, change);
                return;
            }
            if (change.snapshot()) {
                log.startSnapshot(change);
            } else if (log.covers(change.orderLsn(), change.orderKey())) {
                skipped++;
                return;
            } else {
                log.advance(change.orderLsn(), change.orderKey());
            }
            arriving.add(log);
            if (change.isEvent()) {
                log.events.add(new PendingEvent(change, log.lsn));
            } else {
                int before = log.rows.size();
                log.rows.add(++log.lsn, change.op(), change.fullRow(), change.changeLsn(), change.snapshot(),
                        change.txId(), change.commitMillis());
                bufferedBytes += log.rows.size() - before;
                log.progress.record(change);
                if (!change.snapshot()) {
                    newestCommitMillis = Math.max(newestCommitMillis, change.commitMillis());
                }
            }
            if (bufferedBytes >= settings.flushBytes()) {
                writeArriving();
            }
        } catch (SQLException e) {
            throw new IOException("writing " + change.table() + " into bronze schema " + schema + " on "
                    + settings.target().jdbcUrl() + " failed: " + e.getMessage(), e);
        }
    }

    /** A table's part of a transaction, or its snapshot, is complete; at the end of the transaction, commit. */
    private void end(TableLog log, CapturedChange end) throws SQLException {
        if (end.snapshot()) {
            log.endSnapshot(end);
            arriving.add(log);
        }
        if (!arriving.remove(log)) {
            return; // every change of it was written before (a replay)
        }
        log.markDone();
        if (!arriving.isEmpty()) {
            return;
        }
        if (arrivingWritten || System.nanoTime() - lastCommitNanos >= commitIntervalNanos) {
            commit();
        } else if (!timerSet) {
            timerSet = true;
            long delayMillis = Math.max(1, (commitIntervalNanos - (System.nanoTime() - lastCommitNanos)) / 1_000_000);
            time.registerTimer(time.getCurrentProcessingTime() + delayMillis, now -> {
                timerSet = false;
                if (arriving.isEmpty()) {
                    commit();
                }
            });
        }
    }

    /**
     * The buffer is full inside a source transaction: its changes so far go into the open database transaction,
     * after the complete transactions before it were committed on their own.
     */
    private void writeArriving() throws SQLException {
        if (!arrivingWritten) {
            write(false);
            commitWritten();
            arrivingWritten = true;
        }
        write(true);
    }

    /** Commits everything buffered; only between source transactions. */
    private void commit() throws SQLException {
        write(true);
        commitWritten();
        arrivingWritten = false;
    }

    private void commitWritten() throws SQLException {
        if (!written) {
            return;
        }
        connection.commit();
        written = false;
        lastCommitNanos = System.nanoTime();
        if (newestCommitMillis > 0) {
            commitLatencyMillis = Math.max(0, System.currentTimeMillis() - newestCommitMillis);
        }
        for (TableLog log : tables.values()) {
            if (log.progress.sinceLogged() >= PROGRESS_LOG_MILLIS) {
                log.progress.log(log.lsn);
            }
        }
    }

    /**
     * Writes into the open database transaction the buffered rows and events of complete source transactions (with
     * {@code all}, those of the arriving one too) and the progress they reach.
     */
    private void write(boolean all) throws SQLException {
        List<TableLog> progressed = new ArrayList<>();
        for (TableLog log : tables.values()) {
            int rows = all ? log.rows.size() : log.rows.doneSize();
            if (rows > 0) {
                copyRows(log, all);
                bufferedBytes -= rows;
            }
            int events = all ? log.events.size() : log.eventsDone;
            for (PendingEvent event : log.events.subList(0, events)) {
                eventWriter.write(connection, event.change().toTableEvent(), event.followsLsn());
                written = true;
            }
            log.events.subList(0, events).clear();
            log.eventsDone = Math.max(0, log.eventsDone - events);
            if (log.doneProgress != null && log.doneProgress != log.writtenProgress) {
                progressed.add(log);
            }
        }
        if (!progressed.isEmpty()) {
            try (PreparedStatement upsert = connection.prepareStatement(LogProgress.upsertStatement(schema))) {
                for (TableLog log : progressed) {
                    log.doneProgress.addTo(upsert, log.bronzeTable);
                    log.writtenProgress = log.doneProgress;
                }
                upsert.executeBatch();
            }
            written = true;
        }
    }

    private void copyRows(TableLog log, boolean all) throws SQLException {
        CopyIn in = copy.copyIn("COPY " + log.qualified + " " + CopyRows.COLUMNS + " FROM STDIN");
        try {
            log.rows.writeTo(in, all);
            in.endCopy();
        } catch (SQLException e) {
            throw new SQLException("COPY into " + log.qualified + " failed for " + log.rows.lsnRange() + ": "
                    + e.getMessage(), e.getSQLState(), e);
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
        if (all) {
            log.rows.clear();
        } else {
            log.rows.dropDone();
        }
        written = true;
    }

    /**
     * At a checkpoint barrier: commits every complete source transaction, so that bronze holds everything the
     * checkpoint's source position covers before the checkpoint can complete (and the slot move past it). The
     * arriving transaction stays open: the checkpoint does not cover it.
     */
    @Override
    public void flush(boolean endOfInput) throws IOException {
        if (arrivingWritten) {
            return; // nothing complete is pending: it was committed before the arriving transaction was written
        }
        try {
            write(false);
            commitWritten();
        } catch (SQLException e) {
            throw new IOException("committing bronze schema " + schema + " on " + settings.target().jdbcUrl()
                    + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * The table's log, on first sight loaded from bronze: its change-log table is created if missing (a table that
     * joined the running pipeline) and its progress read. A log with rows but no progress was written by something
     * else, which this writer cannot continue without doubling or losing rows.
     */
    private TableLog log(String name) throws SQLException {
        TableLog log = tables.get(name);
        if (log != null) {
            return log;
        }
        TableId table = TableId.parse(name);
        String bronzeTable = BronzeSchema.logTableName(table);
        Optional<LogProgress> progress;
        try (Connection c = settings.target().connect()) {
            BronzeMigrator.migrate(c, schema, List.of(table));
            progress = LogProgress.read(c, schema, bronzeTable);
            long max = BronzeLogs.maxLsn(c, schema, table);
            long recorded = progress.map(LogProgress::lastLsn).orElse(0L);
            if (max != recorded) {
                throw new ContractViolationException(schema.displayTableOf(table) + " holds lsn 1.." + max + " but"
                        + " this pipeline's progress (" + schema.name() + "." + LogProgress.TABLE + ") records "
                        + (progress.isPresent() ? "lsn " + recorded : "none") + ": another writer changed it (a job"
                        + " with source.connector: flink-cdc, or a second pipeline on the same bronze schema)."
                        + " Give each pipeline its own bronze.schema; to switch a pipeline's source, follow the"
                        + " README's \"Switching the source\"");
            }
        }
        log = new TableLog(name, bronzeTable, schema.tableOf(table), progress.orElse(null),
                new TableProgress(name, metrics));
        tables.put(name, log);
        return log;
    }

    @Override
    public void close() throws Exception {
        try {
            if (gauges != null) {
                gauges.close();
            }
        } finally {
            try {
                if (written) {
                    connection.rollback();
                }
            } finally {
                connection.close();
            }
            if (skipped > 0) {
                LOG.info("Bronze sink: skipped {} changes that bronze already held (replayed after a restore)",
                        skipped);
            }
        }
    }

    /** An event, with the lsn of its table's last row before it. */
    private record PendingEvent(CapturedChange change, long followsLsn) {
    }

    /** One table's log as this writer sees it: its buffer, last lsn and stream position. */
    private static final class TableLog {
        final String name;
        final String bronzeTable;
        final String qualified;
        final CopyRows rows = new CopyRows();
        final List<PendingEvent> events = new ArrayList<>();
        final TableProgress progress;
        int eventsDone;
        long lsn;
        /** Position of the last change accepted; -1 before the first. */
        long positionLsn = -1;
        long positionKey;
        boolean snapshotting;
        long snapshotLsn = -1;
        String snapshotXids;
        /** The progress at the end of the last complete unit, and the last one written into the database. */
        LogProgress doneProgress;
        LogProgress writtenProgress;

        TableLog(String name, String bronzeTable, String qualified, LogProgress committed, TableProgress progress) {
            this.name = name;
            this.bronzeTable = bronzeTable;
            this.qualified = qualified;
            this.progress = progress;
            if (committed != null) {
                lsn = committed.lastLsn();
                positionLsn = committed.commitLsn();
                positionKey = committed.changeKey();
                snapshotLsn = committed.snapshotLsn();
                snapshotXids = committed.snapshotXids();
                doneProgress = committed;
                writtenProgress = committed;
            }
        }

        boolean covers(long lsn, long key) {
            return positionLsn >= 0 && (lsn < positionLsn || (lsn == positionLsn && key <= positionKey));
        }

        void advance(long lsn, long key) {
            positionLsn = lsn;
            positionKey = key;
        }

        void startSnapshot(CapturedChange row) {
            if (snapshotting) {
                return;
            }
            if (positionLsn >= 0) {
                throw alreadyCaptured(row);
            }
            snapshotting = true;
            advance(row.orderLsn(), CapturedChange.SNAPSHOT_KEY);
        }

        void endSnapshot(CapturedChange end) {
            if (!snapshotting) {
                if (positionLsn >= 0) {
                    throw alreadyCaptured(end);
                }
                advance(end.orderLsn(), CapturedChange.SNAPSHOT_KEY); // an empty table
            }
            snapshotting = false;
            snapshotLsn = end.changeLsn();
            snapshotXids = end.fullRow().isEmpty() ? null : end.fullRow();
        }

        private ContractViolationException alreadyCaptured(CapturedChange row) {
            return new ContractViolationException(name + ": a snapshot taken at " + PgLsn.of(row.changeLsn())
                    + " arrived, but bronze already holds this table up to lsn " + lsn + " (stream position "
                    + PgLsn.of(positionLsn) + "), so its rows would be written twice. The source must resume a"
                    + " table that bronze holds instead of taking its snapshot again; this is a bug, please report"
                    + " it with the job's log");
        }

        void markDone() {
            rows.markDone();
            eventsDone = events.size();
            doneProgress = new LogProgress(lsn, positionLsn, positionKey, snapshotLsn, snapshotXids);
        }
    }
}
