package io.bronzecdc.flink.source.pgoutput;

import java.util.List;

/**
 * What the enumerator checkpoints: whether it created the slot's split (after that the split lives in the
 * reader's state) and the split while it is not assigned.
 *
 * @param splitCreated whether the initial split was made; a restored enumerator never makes another
 * @param unassigned the split when no reader holds it (at most one)
 */
public record SlotEnumeratorState(boolean splitCreated, List<SlotSplit> unassigned) {
    public SlotEnumeratorState {
        unassigned = List.copyOf(unassigned);
    }
}
