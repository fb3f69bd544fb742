package io.puffgres.poll;

import java.io.IOException;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/** Serializes {@link PollSplit}s (reader state and assignments) and the enumerator's state, whether it assigned it. */
final class PollSplitSerializer implements SimpleVersionedSerializer<PollSplit> {

    static final PollSplitSerializer INSTANCE = new PollSplitSerializer();

    private static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(PollSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(32);
        out.writeUTF(split.slot());
        out.writeLong(split.position());
        return out.getCopyOfBuffer();
    }

    @Override
    public PollSplit deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown poll split version " + version);
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        return new PollSplit(in.readUTF(), in.readLong());
    }

    /** The enumerator's state: whether the split is out with a reader (then the readers' state holds it). */
    static final class Assigned implements SimpleVersionedSerializer<Boolean> {

        static final Assigned INSTANCE = new Assigned();

        @Override
        public int getVersion() {
            return VERSION;
        }

        @Override
        public byte[] serialize(Boolean assigned) {
            return new byte[] {(byte) (assigned ? 1 : 0)};
        }

        @Override
        public Boolean deserialize(int version, byte[] serialized) throws IOException {
            if (version != VERSION || serialized.length != 1) {
                throw new IOException("unknown poll enumerator state, version " + version);
            }
            return serialized[0] == 1;
        }
    }
}
