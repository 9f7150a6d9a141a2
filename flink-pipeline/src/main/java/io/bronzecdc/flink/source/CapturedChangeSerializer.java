package io.bronzecdc.flink.source;

import java.io.IOException;
import java.io.Serial;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * How a {@link CapturedChange} crosses the network between the source and the sink: its strings as UTF-8 bytes
 * behind their length, its other fields as they are. Flink's POJO serializer wrote each string char by char
 * (variable-length chars, {@code StringValue}) through reflection, about a tenth of the Flink JVM's samples in a
 * backlog drain (JFR, docs/profiling/2026-12-02-flink-backlog.md). The record is immutable, so a chained operator
 * gets it without a copy.
 *
 * <p>Records in flight are not checkpointed (aligned checkpoints), so no state holds this format.
 */
public final class CapturedChangeSerializer extends TypeSerializerSingleton<CapturedChange> {
    @Serial
    private static final long serialVersionUID = 1L;
    /** The one instance. */
    public static final CapturedChangeSerializer INSTANCE = new CapturedChangeSerializer();
    private static final int NULL = -1;

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public CapturedChange createInstance() {
        return new CapturedChange("", 'I', "", false, 0L, 0L, 0L, -1L, -1L, 0L);
    }

    @Override
    public CapturedChange copy(CapturedChange from) {
        return from;
    }

    @Override
    public CapturedChange copy(CapturedChange from, CapturedChange reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(CapturedChange change, DataOutputView target) throws IOException {
        writeString(change.table(), target);
        target.writeChar(change.op());
        writeString(change.fullRow(), target);
        target.writeBoolean(change.snapshot());
        target.writeLong(change.orderLsn());
        target.writeLong(change.changeLsn());
        target.writeLong(change.indexInTransaction());
        target.writeLong(change.txId());
        target.writeLong(change.commitMillis());
        target.writeLong(change.orderKey());
    }

    @Override
    public CapturedChange deserialize(DataInputView source) throws IOException {
        return new CapturedChange(readString(source), source.readChar(), readString(source), source.readBoolean(),
                source.readLong(), source.readLong(), source.readLong(), source.readLong(), source.readLong(),
                source.readLong());
    }

    @Override
    public CapturedChange deserialize(CapturedChange reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        copyString(source, target);
        target.writeChar(source.readChar());
        copyString(source, target);
        target.writeBoolean(source.readBoolean());
        for (int i = 0; i < 6; i++) {
            target.writeLong(source.readLong());
        }
    }

    private static void writeString(String text, DataOutputView target) throws IOException {
        if (text == null) {
            target.writeInt(NULL);
            return;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        target.writeInt(bytes.length);
        target.write(bytes);
    }

    private static String readString(DataInputView source) throws IOException {
        int length = source.readInt();
        if (length == NULL) {
            return null;
        }
        byte[] bytes = new byte[length];
        source.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void copyString(DataInputView source, DataOutputView target) throws IOException {
        int length = source.readInt();
        target.writeInt(length);
        if (length > 0) {
            byte[] bytes = new byte[length];
            source.readFully(bytes);
            target.write(bytes);
        }
    }

    @Override
    public TypeSerializerSnapshot<CapturedChange> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot: it has no configuration. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<CapturedChange> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
