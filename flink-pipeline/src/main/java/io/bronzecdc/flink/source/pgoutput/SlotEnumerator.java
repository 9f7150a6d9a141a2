package io.bronzecdc.flink.source.pgoutput;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the slot's one split to the first registered reader (the source runs at parallelism 1), and takes it back
 * when that reader fails before a checkpoint ({@link #addSplitsBack}).
 */
final class SlotEnumerator implements SplitEnumerator<SlotSplit, SlotEnumeratorState> {
    private static final Logger LOG = LoggerFactory.getLogger(SlotEnumerator.class);

    private final SplitEnumeratorContext<SlotSplit> context;
    private final List<SlotSplit> unassigned;
    private final boolean splitCreated;

    SlotEnumerator(SplitEnumeratorContext<SlotSplit> context, SlotEnumeratorState state) {
        this.context = context;
        this.unassigned = new ArrayList<>(state.unassigned());
        this.splitCreated = state.splitCreated();
    }

    @Override
    public void start() {
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        assign();
    }

    @Override
    public void addSplitsBack(List<SlotSplit> splits, int subtaskId) {
        LOG.info("Slot split returned by subtask {}; reassigning it", subtaskId);
        unassigned.addAll(splits);
        assign();
    }

    @Override
    public void addReader(int subtaskId) {
        assign();
    }

    private void assign() {
        if (unassigned.isEmpty() || context.registeredReaders().isEmpty()) {
            return;
        }
        int reader = context.registeredReaders().keySet().stream().sorted().findFirst().orElseThrow();
        for (SlotSplit split : unassigned) {
            context.assignSplit(split, reader);
        }
        unassigned.clear();
    }

    @Override
    public SlotEnumeratorState snapshotState(long checkpointId) {
        return new SlotEnumeratorState(splitCreated, unassigned);
    }

    @Override
    public void close() {
    }
}
