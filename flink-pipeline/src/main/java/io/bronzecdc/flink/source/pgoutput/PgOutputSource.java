package io.bronzecdc.flink.source.pgoutput;

import io.bronzecdc.flink.sink.JdbcTarget;
import io.bronzecdc.flink.source.CapturedChange;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.TableId;
import java.io.Serial;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The Flink engine's own pgoutput source ({@code source.connector: pgoutput}, the default): reads the pipeline's
 * slot through pgjdbc's replication protocol and decodes it with the shared
 * {@link io.bronzecdc.model.pgoutput.PgOutputDecoder}, so both engines build {@code full_row} from the same code.
 *
 * <p>One split, the slot, read by one reader: run the source at parallelism 1 (the rest of the job keeps its
 * own). See {@link SlotReader} for the snapshot, the stream, tables created later, what is checkpointed and when
 * the slot advances.
 */
public final class PgOutputSource implements Source<CapturedChange, SlotSplit, SlotEnumeratorState>,
        ResultTypeQueryable<CapturedChange> {
    @Serial
    private static final long serialVersionUID = 1L;

    private final SlotEndpoint endpoint;
    private final List<String> tables;
    private final TableDiscovery discovery;
    private final BronzeHeld bronze;
    /** Where a switched pipeline resumes streaming, without a snapshot; -1 for a pipeline's first start. */
    private final long resumeLsn;

    private PgOutputSource(SlotEndpoint endpoint, List<String> tables, TableDiscovery discovery, BronzeHeld bronze,
            long resumeLsn) {
        this.endpoint = endpoint;
        this.tables = List.copyOf(tables);
        this.discovery = discovery;
        this.bronze = bronze;
        this.resumeLsn = resumeLsn;
    }

    /**
     * The source of {@code config}, capturing {@code tables} (resolved from the config's patterns at the start)
     * and every table that matches them later.
     */
    public static PgOutputSource of(PipelineConfig config, List<TableId> tables) {
        return new PgOutputSource(SlotEndpoint.of(config.source()), tables.stream().map(TableId::toString).toList(),
                TableDiscovery.of(config), BronzeHeld.of(config), -1);
    }

    /**
     * The source of a pipeline switched to it from another source ({@code --switch-source}): without state of its
     * own it streams from {@code slotPosition}, the slot's confirmed position, instead of taking a snapshot; the
     * reader's restore check refuses the start if the slot is gone or was confirmed beyond it meanwhile. A restore
     * of its own checkpoint resumes from there as usual.
     */
    public static PgOutputSource resumingAt(PipelineConfig config, List<TableId> tables, long slotPosition) {
        return new PgOutputSource(SlotEndpoint.of(config.source()), tables.stream().map(TableId::toString).toList(),
                TableDiscovery.of(config), BronzeHeld.of(config), slotPosition);
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SplitEnumerator<SlotSplit, SlotEnumeratorState> createEnumerator(
            SplitEnumeratorContext<SlotSplit> context) {
        SlotSplit first = resumeLsn < 0 ? SlotSplit.initial(tables)
                : new SlotSplit(resumeLsn, SlotSplit.NO_OPEN_TRANSACTION, -1L, true, tables);
        return new SlotEnumerator(context, new SlotEnumeratorState(true, List.of(first)));
    }

    @Override
    public SplitEnumerator<SlotSplit, SlotEnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<SlotSplit> context, SlotEnumeratorState checkpoint) {
        return new SlotEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<SlotSplit> getSplitSerializer() {
        return new SlotSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<SlotEnumeratorState> getEnumeratorCheckpointSerializer() {
        return new SlotEnumeratorStateSerializer();
    }

    @Override
    public SourceReader<CapturedChange, SlotSplit> createReader(SourceReaderContext context) {
        return new SlotReader(endpoint, tables, discovery, bronze);
    }

    @Override
    public TypeInformation<CapturedChange> getProducedType() {
        return TypeInformation.of(CapturedChange.class);
    }
}
