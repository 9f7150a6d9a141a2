package io.bronzecdc.flink.source.pgoutput;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Version 2: the created flag, then the unassigned splits as {@link SlotSplitSerializer} writes them (version 2);
 * version 1, whose splits are in version 1, is still read.
 */
public final class SlotEnumeratorStateSerializer implements SimpleVersionedSerializer<SlotEnumeratorState> {
    static final int VERSION = SlotSplitSerializer.VERSION;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(SlotEnumeratorState state) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeBoolean(state.splitCreated());
            out.writeInt(state.unassigned().size());
            for (SlotSplit split : state.unassigned()) {
                SlotSplitSerializer.write(split, out);
            }
        }
        return bytes.toByteArray();
    }

    @Override
    public SlotEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
        SlotSplitSerializer.requireKnown("slot enumerator", version);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            boolean created = in.readBoolean();
            int count = in.readInt();
            List<SlotSplit> splits = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                splits.add(SlotSplitSerializer.read(version, in));
            }
            return new SlotEnumeratorState(created, splits);
        }
    }
}
