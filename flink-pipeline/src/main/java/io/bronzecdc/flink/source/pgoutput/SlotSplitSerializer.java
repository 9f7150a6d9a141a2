package io.bronzecdc.flink.source.pgoutput;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** Version 1: restart LSN, open transaction, last emitted key, snapshot flag, the table names (UTF-8). */
public final class SlotSplitSerializer implements SimpleVersionedSerializer<SlotSplit> {
    static final int VERSION = 1;

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
        if (version != VERSION) {
            throw new IOException("slot split state version " + version + " is not known to this build (it reads"
                    + " version " + VERSION + "); restore with the build that wrote it");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            return read(in);
        }
    }

    static void write(SlotSplit split, DataOutputStream out) throws IOException {
        out.writeLong(split.restartLsn());
        out.writeLong(split.openCommitLsn());
        out.writeLong(split.lastEmittedKey());
        out.writeBoolean(split.snapshotDone());
        out.writeInt(split.tables().size());
        for (String table : split.tables()) {
            writeText(out, table);
        }
    }

    static SlotSplit read(DataInputStream in) throws IOException {
        long restartLsn = in.readLong();
        long openCommitLsn = in.readLong();
        long lastEmittedKey = in.readLong();
        boolean snapshotDone = in.readBoolean();
        int count = in.readInt();
        List<String> tables = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            tables.add(readText(in));
        }
        return new SlotSplit(restartLsn, openCommitLsn, lastEmittedKey, snapshotDone, tables);
    }

    /** Length-prefixed UTF-8: {@code writeUTF} is limited to 64 KiB and uses modified UTF-8. */
    private static void writeText(DataOutputStream out, String text) throws IOException {
        byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readText(DataInputStream in) throws IOException {
        byte[] utf8 = new byte[in.readInt()];
        in.readFully(utf8);
        return new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
    }
}
