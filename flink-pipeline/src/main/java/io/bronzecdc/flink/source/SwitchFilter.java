package io.bronzecdc.flink.source;

import java.io.Serial;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops what a switched source resends that bronze already holds ({@link SwitchBoundary}); passes everything
 * unchanged in every other start (no boundary), so it sits in every job graph under one operator id and a later
 * restore finds the state it expects.
 *
 * <p>Until the stream has passed the boundary: a change of a transaction in {@link SwitchBoundary#inBronze} is
 * dropped, and of the frontier transaction the first {@link SwitchBoundary#frontierRows} changes per table. The
 * first streamed change of any other transaction passes the boundary for good; snapshot rows (a table brought in at
 * this start), table events and transaction ends do not decide it (an end of a dropped transaction reaches a sink
 * that holds none of its changes, which ignores it). What was dropped of the frontier and whether the boundary was
 * passed are checkpointed with the boundary's {@link SwitchBoundary#id() id} (union list state, so they follow the
 * stream to whichever subtask reads it after a rescale): a restore of a checkpoint taken after the switch continues
 * exactly; a failure before the first one restores the savepoint, whose filter state belongs to the run before the
 * switch and is ignored, so the new source starts again from the slot and this filter from the boundary.
 */
public final class SwitchFilter extends RichFlatMapFunction<CapturedChange, CapturedChange>
        implements CheckpointedFunction {
    @Serial
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SwitchFilter.class);
    private static final String PASSED = "passed";

    private final SwitchBoundary boundary;
    private transient ListState<String> state;
    private transient boolean passed;
    private transient Map<String, Long> frontierDropped;
    private transient long dropped;

    /** @param boundary what to drop; null when the job was not switched */
    public SwitchFilter(SwitchBoundary boundary) {
        this.boundary = boundary;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        state = context.getOperatorStateStore().getUnionListState(
                new ListStateDescriptor<>("switch-boundary", Types.STRING));
        passed = boundary == null || boundary.isEmpty();
        frontierDropped = new HashMap<>();
        if (context.isRestored() && !passed) {
            // Only the state of this switch counts: the savepoint it starts from holds the filter's state of the
            // run before the switch (which had passed its own, empty boundary).
            String mine = boundary.id() + "\t";
            for (String entry : state.get()) {
                if (!entry.startsWith(mine)) {
                    continue;
                }
                String rest = entry.substring(mine.length());
                if (rest.equals(PASSED)) {
                    passed = true;
                } else {
                    int tab = rest.lastIndexOf('\t');
                    frontierDropped.merge(rest.substring(0, tab), Long.parseLong(rest.substring(tab + 1)),
                            Math::max);
                }
            }
        }
        if (!passed) {
            LOG.info("Source switched: resuming from the slot at its confirmed position; dropping what bronze holds"
                    + " already: {} whole transactions and, of transaction {}, the first changes per table {}",
                    boundary.inBronze().size(), boundary.frontierXid(), boundary.frontierRows());
        }
    }

    @Override
    public void flatMap(CapturedChange change, Collector<CapturedChange> out) {
        if (passed || change.snapshot() || change.isEnd()) {
            out.collect(change);
            return;
        }
        if (boundary.inBronze().contains(change.txId())) {
            dropped++;
            return;
        }
        if (change.txId() == boundary.frontierXid() && !change.isEvent()) {
            long inBronze = boundary.frontierRows().getOrDefault(change.table(), 0L);
            long done = frontierDropped.getOrDefault(change.table(), 0L);
            if (done < inBronze) {
                frontierDropped.put(change.table(), done + 1);
                dropped++;
                return;
            }
        } else if (!change.isEvent()) {
            passed = true;
            LOG.info("Source switch: passed the boundary after dropping {} changes bronze held already", dropped);
        }
        out.collect(change);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        state.clear();
        String mine = boundary == null ? "none\t" : boundary.id() + "\t";
        if (passed) {
            state.add(mine + PASSED);
        }
        for (Map.Entry<String, Long> entry : frontierDropped.entrySet()) {
            state.add(mine + entry.getKey() + "\t" + entry.getValue());
        }
    }
}
