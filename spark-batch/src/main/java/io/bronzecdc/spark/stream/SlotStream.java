package io.bronzecdc.spark.stream;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SourceConnections;
import io.bronzecdc.spark.exec.Endpoint;
import io.bronzecdc.spark.exec.StreamTask;
import io.bronzecdc.spark.exec.WorkPlacement;
import io.bronzecdc.spark.source.SlotPeek;
import io.bronzecdc.spark.write.BatchProgress;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.streaming.MicroBatchStream;
import org.apache.spark.sql.connector.read.streaming.Offset;
import org.apache.spark.sql.connector.read.streaming.ReadLimit;
import org.apache.spark.sql.connector.read.streaming.SupportsTriggerAvailableNow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slot as a micro-batch stream, on the driver. {@link #latestOffset(Offset, ReadLimit)} takes the batch's end:
 * the current WAL position, followed by a small logical message so the slot's decoding never waits for more WAL
 * ({@link SlotPeek#boundAndMark}); with {@code Trigger.AvailableNow} the end is fixed once, when the query starts,
 * so one run processes what was committed before it and stops. Without new WAL since the last batch (its mark
 * and its own bronze writes aside), there is no batch; background WAL (checkpoints, the server's periodic
 * running-transactions record) makes an empty batch now and then, which also moves the slot past WAL of tables
 * the pipeline does not capture.
 *
 * <p>Bronze, not Spark's checkpoint, is the truth: a batch skips every transaction bronze covers (its progress is
 * read when the batch is planned), whatever the offsets say, and the slot advances only after the batch's bronze
 * commit, by the sink ({@link #commit} does nothing). So a lost or stale checkpoint only means a batch reads
 * changes it then skips.
 */
final class SlotStream implements MicroBatchStream, SupportsTriggerAvailableNow {
    private static final Logger LOG = LoggerFactory.getLogger(SlotStream.class);

    private final SlotSource.Pipeline pipeline;
    private final SourceConnections source;
    private final SourceConnections bronze;
    private final BronzeSchema schema;
    private final String slot;
    private final WorkPlacement.Counters counters;
    private PgLsn availableNowEnd;
    private PgLsn afterLastMark;
    private PgLsn lastPlanned;
    private PgLsn lastCovered;

    SlotStream(SlotSource.Pipeline pipeline) {
        this.pipeline = pipeline;
        this.source = SourceConnections.of(pipeline.config().source(), "spark");
        this.bronze = SourceConnections.target(pipeline.config(), "spark");
        this.schema = new BronzeSchema(pipeline.config().bronze().schema());
        this.slot = pipeline.config().source().slotName();
        this.counters = WorkPlacement.newCounters(SparkSession.active().sparkContext());
    }

    /** Where bronze is: the first batch of a new checkpoint starts there. */
    @Override
    public Offset initialOffset() {
        return new SlotOffset(covered());
    }

    @Override
    public Offset deserializeOffset(String json) {
        return SlotOffset.parse(json);
    }

    @Override
    public ReadLimit getDefaultReadLimit() {
        return ReadLimit.allAvailable();
    }

    @Override
    public void prepareForTriggerAvailableNow() {
        availableNowEnd = mark();
        LOG.info("Pipeline {}: this run reads the slot up to {} (Trigger.AvailableNow)", slot, availableNowEnd);
    }

    @Override
    public Offset latestOffset() {
        throw new UnsupportedOperationException("Spark calls latestOffset(start, limit) on this source");
    }

    @Override
    public Offset latestOffset(Offset start, ReadLimit limit) {
        PgLsn from = ((SlotOffset) start).lsn();
        PgLsn current = currentWal();
        if (from.compareTo(current) > 0) {
            throw new IllegalStateException("Pipeline " + slot + ": the query's checkpoint says it read up to " + from
                    + " but the source's WAL ends at " + current + ", so the checkpoint location belongs to another"
                    + " server or pipeline. Give each pipeline its own --checkpoint directory (or delete this one:"
                    + " bronze holds the pipeline's position, the checkpoint does not need to)");
        }
        if (availableNowEnd != null) {
            return availableNowEnd.compareTo(from) > 0 ? new SlotOffset(availableNowEnd) : start;
        }
        if (!lateTables().isEmpty()) {
            pipeline.lateTables().run();
            return start;
        }
        if (current.compareTo(from) <= 0 || current.equals(afterLastMark)
                || current.equals(pipeline.quietAt().get())) {
            return start; // nothing written since the last batch (or only its own mark and writes)
        }
        return new SlotOffset(mark());
    }

    @Override
    public InputPartition[] planInputPartitions(Offset start, Offset end) {
        PgLsn to = ((SlotOffset) end).lsn();
        // Spark plans a batch more than once: bronze's position is read once per batch end
        PgLsn covered = to.equals(lastPlanned) ? lastCovered : covered();
        StreamTask.Spec spec = new StreamTask.Spec(Endpoint.source(pipeline.config()), slot,
                pipeline.config().source().publicationName(), pipeline.tables(), covered.asLong(), to.asLong(),
                new HashMap<>());
        if (!to.equals(lastPlanned)) {
            LOG.info("Pipeline {}: batch from {} to {}, bronze covers up to {}", slot, ((SlotOffset) start).lsn(), to,
                    covered);
            lastPlanned = to;
            lastCovered = covered;
        }
        return new InputPartition[] {new SlotPartition(spec)};
    }

    @Override
    public PartitionReaderFactory createReaderFactory() {
        return new SlotPartition.ReaderFactory(counters);
    }

    /** Nothing: the batch's sink advances the slot after its bronze commit. */
    @Override
    public void commit(Offset end) {
    }

    @Override
    public void stop() {
    }

    @Override
    public String toString() {
        return "bronze-cdc slot " + slot;
    }

    private PgLsn covered() {
        try (Connection c = bronze.open("stream offsets")) {
            return BatchProgress.read(c, schema, slot).map(BatchProgress::coveredLsn)
                    .orElseThrow(() -> new IllegalStateException("Pipeline " + slot + ": bronze has no committed run"
                            + " of slot " + slot + "; the job takes the snapshot before it starts the query"));
        } catch (SQLException e) {
            throw new IllegalStateException("Pipeline " + slot + ": cannot read bronze's position: " + e.getMessage(),
                    e);
        }
    }

    private PgLsn currentWal() {
        try (Connection c = source.open("stream offsets")) {
            return SlotPeek.currentWal(c);
        } catch (SQLException e) {
            throw new IllegalStateException("Pipeline " + slot + ": cannot read the source's WAL position: "
                    + e.getMessage(), e);
        }
    }

    /** A batch end: the current WAL position, then a mark after it. */
    private PgLsn mark() {
        try (Connection c = source.open("stream offsets")) {
            PgLsn bound = SlotPeek.boundAndMark(c);
            afterLastMark = SlotPeek.currentWal(c);
            return bound;
        } catch (SQLException e) {
            throw new IllegalStateException("Pipeline " + slot + ": cannot take the batch's end position: "
                    + e.getMessage(), e);
        }
    }

    /** Tables that match the config and that the query does not capture. */
    private List<TableId> lateTables() {
        try (Connection c = source.open("stream tables")) {
            List<TableId> resolved = pipeline.config().tables().resolve(c, schema.name(), "for slot " + slot);
            return resolved.stream().filter(t -> !pipeline.tables().contains(t)).toList();
        } catch (SQLException e) {
            throw new IllegalStateException("Pipeline " + slot + ": cannot list the source's tables: "
                    + e.getMessage(), e);
        }
    }
}
