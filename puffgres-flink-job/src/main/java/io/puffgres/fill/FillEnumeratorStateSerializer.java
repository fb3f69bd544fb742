package io.puffgres.fill;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/** Serializes {@link FillEnumeratorState} into checkpoints. */
public final class FillEnumeratorStateSerializer implements SimpleVersionedSerializer<FillEnumeratorState> {

    public static final FillEnumeratorStateSerializer INSTANCE = new FillEnumeratorStateSerializer();

    /** 2: chunks as {@link ChunkSplitSerializer} version 2 writes them; 1 (before sweeps) is read too. */
    private static final int VERSION = 2;

    private static final PlanCursor.Stage[] STAGES = PlanCursor.Stage.values();

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(FillEnumeratorState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        PlanCursor cursor = state.cursor();
        out.writeInt(cursor.nextIndex());
        ChunkSplitSerializer.writeValues(cursor.lower(), out);
        out.writeByte(cursor.stage().ordinal());
        out.writeInt(state.open().size());
        for (Chunk chunk : state.open()) {
            ChunkSplitSerializer.writeChunk(chunk, out);
        }
        out.writeLong(state.chunksDone());
        out.writeLong(state.rowsDone());
        return out.getCopyOfBuffer();
    }

    @Override
    public FillEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION && version != 1) {
            throw new IOException("unknown fill enumerator state version " + version);
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        PlanCursor cursor = new PlanCursor(in.readInt(), ChunkSplitSerializer.readValues(in), STAGES[in.readByte()]);
        int n = in.readInt();
        List<Chunk> open = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            open.add(ChunkSplitSerializer.readChunk(in, version));
        }
        return new FillEnumeratorState(cursor, open, in.readLong(), in.readLong());
    }
}
