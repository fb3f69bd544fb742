package io.puffgres.fill;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/** Serializes {@link ChunkSplit}s for Flink (assignments to readers); also writes chunks for the enumerator state. */
public final class ChunkSplitSerializer implements SimpleVersionedSerializer<ChunkSplit> {

    public static final ChunkSplitSerializer INSTANCE = new ChunkSplitSerializer();

    private static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(ChunkSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        writeChunk(split.chunk(), out);
        out.writeLong(split.assignment());
        return out.getCopyOfBuffer();
    }

    @Override
    public ChunkSplit deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown chunk split version " + version);
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        return new ChunkSplit(readChunk(in), in.readLong());
    }

    static void writeChunk(Chunk chunk, DataOutputView out) throws IOException {
        out.writeInt(chunk.index());
        out.writeBoolean(chunk.nullKeys());
        writeValues(chunk.lower(), out);
        writeValues(chunk.upper(), out);
    }

    static Chunk readChunk(DataInputView in) throws IOException {
        int index = in.readInt();
        boolean nullKeys = in.readBoolean();
        return new Chunk(index, readValues(in), readValues(in), nullKeys);
    }

    /** Key values as text (never NULL: a range bound is a key some row has, and NULL keys are in no range). */
    static void writeValues(List<String> values, DataOutputView out) throws IOException {
        out.writeInt(values.size());
        for (String value : values) {
            byte[] utf8 = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(utf8.length); // writeUTF stops at 64 KB; a text key may be longer
            out.write(utf8);
        }
    }

    static List<String> readValues(DataInputView in) throws IOException {
        int n = in.readInt();
        List<String> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] utf8 = new byte[in.readInt()];
            in.readFully(utf8);
            values.add(new String(utf8, java.nio.charset.StandardCharsets.UTF_8));
        }
        return values;
    }
}
