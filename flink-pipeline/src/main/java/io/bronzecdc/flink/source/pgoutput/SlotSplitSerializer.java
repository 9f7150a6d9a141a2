package io.bronzecdc.flink.source.pgoutput;

import io.bronzecdc.model.source.SnapshotHandover;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Version 2: restart LSN, open transaction, last emitted key, snapshot flag, the table names (UTF-8), then the
 * pending handovers (table, xmin, xmax, in-progress xids, snapshot lsn). Version 1 (without handovers, written
 * before tables could join a running pipeline) is still read.
 */
public final class SlotSplitSerializer implements SimpleVersionedSerializer<SlotSplit> {
    static final int VERSION = 2;
    /** The first version, without handovers. */
    static final int VERSION_1 = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(SlotSplit split) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(split, out);
        }
        return bytes.toByteArray();
    }

    @Override
    public SlotSplit deserialize(int version, byte[] serialized) throws IOException {
        requireKnown("slot split", version);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            return read(version, in);
        }
    }

    /** @throws IOException naming {@code version} and the versions this build reads */
    static void requireKnown(String what, int version) throws IOException {
        if (version != VERSION && version != VERSION_1) {
            throw new IOException(what + " state version " + version + " is not known to this build (it reads"
                    + " versions " + VERSION_1 + " and " + VERSION + "); restore with the build that wrote it");
        }
    }

    /** Writes {@code split} in the current {@link #VERSION}. */
    static void write(SlotSplit split, DataOutputStream out) throws IOException {
        out.writeLong(split.restartLsn());
        out.writeLong(split.openCommitLsn());
        out.writeLong(split.lastEmittedKey());
        out.writeBoolean(split.snapshotDone());
        out.writeInt(split.tables().size());
        for (String table : split.tables()) {
            writeText(out, table);
        }
        out.writeInt(split.handovers().size());
        for (Map.Entry<String, SnapshotHandover> entry : split.handovers().entrySet()) {
            SnapshotHandover handover = entry.getValue();
            writeText(out, entry.getKey());
            out.writeLong(handover.xmin());
            out.writeLong(handover.xmax());
            out.writeInt(handover.inProgress().size());
            for (long xid : handover.inProgress()) {
                out.writeLong(xid);
            }
            out.writeLong(handover.snapshotLsn());
        }
    }

    /** Reads a split written in {@code version}. */
    static SlotSplit read(int version, DataInputStream in) throws IOException {
        long restartLsn = in.readLong();
        long openCommitLsn = in.readLong();
        long lastEmittedKey = in.readLong();
        boolean snapshotDone = in.readBoolean();
        int count = in.readInt();
        List<String> tables = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            tables.add(readText(in));
        }
        Map<String, SnapshotHandover> handovers = new LinkedHashMap<>();
        if (version >= VERSION) {
            int pending = in.readInt();
            for (int i = 0; i < pending; i++) {
                String table = readText(in);
                long xmin = in.readLong();
                long xmax = in.readLong();
                int inProgress = in.readInt();
                List<Long> xids = new ArrayList<>(inProgress);
                for (int j = 0; j < inProgress; j++) {
                    xids.add(in.readLong());
                }
                handovers.put(table, new SnapshotHandover(xmin, xmax, xids, in.readLong()));
            }
        }
        return new SlotSplit(restartLsn, openCommitLsn, lastEmittedKey, snapshotDone, tables, handovers);
    }

    /** Length-prefixed UTF-8: {@code writeUTF} is limited to 64 KiB and uses modified UTF-8. */
    private static void writeText(DataOutputStream out, String text) throws IOException {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readText(DataInputStream in) throws IOException {
        byte[] utf8 = new byte[in.readInt()];
        in.readFully(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
