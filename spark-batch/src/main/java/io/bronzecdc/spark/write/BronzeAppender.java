package io.bronzecdc.spark.write;

import io.bronzecdc.model.bronze.BronzeJdbcWriter;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.bronze.TableEventWriter;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.TableEvent;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.sequence.Sequencer;
import io.bronzecdc.spark.job.RunHooks;
import io.bronzecdc.spark.job.RunPoint;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sequences changes (dense lsn continuing from bronze's {@code max(lsn)}) and inserts them in chunks into the
 * caller's open bronze transaction, which the caller commits together with the pipeline's position.
 */
public final class BronzeAppender {
    private final Connection connection;
    private final BronzeJdbcWriter writer;
    private final TableEventWriter eventWriter;
    private final Sequencer sequencer;
    private final int chunkSize;
    private final RunHooks hooks;
    private final List<ChangeEvent> chunk;
    private final Map<TableId, Long> appended = new LinkedHashMap<>();
    private long writeNanos;
    private long events;

    /**
     * @param connection the bronze connection, in the transaction that will commit the rows
     * @param tables the captured tables, to read where their lsn continues
     */
    public BronzeAppender(Connection connection, BronzeSchema schema, List<TableId> tables, int chunkSize,
            RunHooks hooks) throws SQLException {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be >= 1 but was " + chunkSize);
        }
        this.connection = connection;
        this.writer = new BronzeJdbcWriter(schema);
        this.eventWriter = new TableEventWriter(schema);
        this.sequencer = new Sequencer(writer.lastLsn(connection, tables));
        this.chunkSize = chunkSize;
        this.hooks = hooks;
        this.chunk = new ArrayList<>(chunkSize);
        tables.forEach(t -> appended.put(t, 0L));
    }

    /** Adds the next change in source order; writes a chunk when it is full. */
    public void add(ChangeEvent change) throws SQLException {
        chunk.add(change);
        if (chunk.size() >= chunkSize) {
            flush();
        }
    }

    /**
     * Records an event of a captured table (TRUNCATE, schema change) in source order: the changes added before it
     * are written first, so the event follows the table's last lsn so far.
     */
    public void addEvent(TableEvent event) throws SQLException {
        flush();
        eventWriter.write(connection, event, sequencer.lastLsn().getOrDefault(event.table(), 0L));
        events++;
    }

    /** Events recorded so far. */
    public long events() {
        return events;
    }

    /** Writes what is buffered. */
    public void flush() throws SQLException {
        if (chunk.isEmpty()) {
            return;
        }
        hooks.at(RunPoint.CHUNK_DECODED);
        long started = System.nanoTime();
        writer.write(connection, sequencer.assign(chunk)).forEach((table, rows) -> appended.merge(table, (long) rows,
                Long::sum));
        writeNanos += System.nanoTime() - started;
        chunk.clear();
        hooks.at(RunPoint.CHUNK_WRITTEN);
    }

    /** Rows appended per table so far (flushed rows only). */
    public Map<TableId, Long> appended() {
        return Map.copyOf(appended);
    }

    /** Time spent sequencing and inserting so far (the rest of a run is reading and decoding). */
    public java.time.Duration writeTime() {
        return java.time.Duration.ofNanos(writeNanos);
    }

    /** Rows appended over all tables so far. */
    public long total() {
        return appended.values().stream().mapToLong(Long::longValue).sum();
    }
}
