package io.puffgres.stream;

import io.puffgres.event.Snapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer of a fill's {@link Snapshot}: xmin, xmax, the running transactions, the horizon. A fill row carries
 * one ({@link MappedEventSerializer}), and the writer's keyed state keeps the last one applied to each id.
 */
public final class SnapshotSerializer extends ImmutableSerializer<Snapshot> {

    private static final long serialVersionUID = 1L;

    public static final SnapshotSerializer INSTANCE = new SnapshotSerializer();

    @Override
    public void serialize(Snapshot s, DataOutputView out) throws IOException {
        out.writeLong(s.xmin());
        out.writeLong(s.xmax());
        long[] running = s.running();
        out.writeInt(running.length);
        for (long xid : running) {
            out.writeLong(xid);
        }
        out.writeLong(s.horizon());
    }

    @Override
    public Snapshot deserialize(DataInputView in) throws IOException {
        long xmin = in.readLong();
        long xmax = in.readLong();
        long[] running = new long[in.readInt()];
        for (int i = 0; i < running.length; i++) {
            running[i] = in.readLong();
        }
        return new Snapshot(xmin, xmax, running, in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<Snapshot> snapshotConfiguration() {
        return new SerializerSnapshot();
    }

    /** Serializer snapshot for checkpoints and savepoints. */
    public static final class SerializerSnapshot extends SimpleTypeSerializerSnapshot<Snapshot> {
        public SerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
