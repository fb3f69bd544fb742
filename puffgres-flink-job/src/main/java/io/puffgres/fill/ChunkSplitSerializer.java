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

    /** 2: a chunk carries its kind and a sweep page's ids; 1 (before sweeps): a NULL-key flag and the bounds. */
    static final int VERSION = 2;

    private static final Chunk.Kind[] KINDS = Chunk.Kind.values();

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
        if (version != VERSION && version != 1) {
            throw new IOException("unknown chunk split version " + version);
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        return new ChunkSplit(readChunk(in, version), in.readLong());
    }

    static void writeChunk(Chunk chunk, DataOutputView out) throws IOException {
        out.writeInt(chunk.index());
        out.writeByte(chunk.kind().ordinal());
        writeValues(chunk.lower(), out);
        writeValues(chunk.upper(), out);
        writeValues(chunk.ids(), out);
    }

    /** A chunk {@link #writeChunk} wrote, or one of {@code version} 1 (a range or the NULL-key chunk). */
    static Chunk readChunk(DataInputView in, int version) throws IOException {
        int index = in.readInt();
        if (version == 1) {
            Chunk.Kind kind = in.readBoolean() ? Chunk.Kind.NULL_KEYS : Chunk.Kind.RANGE;
            return new Chunk(index, kind, readValues(in), readValues(in), List.of());
        }
        Chunk.Kind kind = KINDS[in.readByte()];
        return new Chunk(index, kind, readValues(in), readValues(in), readValues(in));
    }

    /**
     * Key values or document ids as text (never NULL: a range bound is a key some row has, NULL keys are in no range,
     * and a document id is never NULL).
     */
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
