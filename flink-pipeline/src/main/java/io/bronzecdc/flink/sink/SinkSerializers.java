package io.bronzecdc.flink.sink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** Serializers of the sink's checkpointed state: the writer's next transaction number and the committables. */
final class SinkSerializers {
    static final SimpleVersionedSerializer<Long> LONG = new SimpleVersionedSerializer<>() {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Long value) {
            return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
        }

        @Override
        public Long deserialize(int version, byte[] bytes) throws IOException {
            requireVersion(version);
            if (bytes.length != Long.BYTES) {
                throw new IOException("bronze sink writer state must be 8 bytes but was " + bytes.length);
            }
            return ByteBuffer.wrap(bytes).getLong();
        }
    };

    static final SimpleVersionedSerializer<String> STRING = new SimpleVersionedSerializer<>() {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(String value) {
            return value.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String deserialize(int version, byte[] bytes) throws IOException {
            requireVersion(version);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    };

    private SinkSerializers() {
    }

    private static void requireVersion(int version) throws IOException {
        if (version != 1) {
            throw new IOException("bronze sink state version " + version + " is unknown to this build (it knows 1):"
                    + " restore with the bronze-cdc version that wrote the checkpoint");
        }
    }
}
