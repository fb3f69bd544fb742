package io.puffgres.stream;

import io.puffgres.event.RowEvent;
import io.puffgres.pipeline.MappedEvent;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer of {@link MappedEvent}: the id, the kind and the event ({@link RowEventSerializer}), then a fill
 * row's snapshot. The kind's byte carries {@link #FILL} when a snapshot follows, so what earlier versions wrote (never
 * with it) reads the same.
 */
public final class MappedEventSerializer extends ImmutableSerializer<MappedEvent> {

    private static final long serialVersionUID = 1L;

    public static final MappedEventSerializer INSTANCE = new MappedEventSerializer();

    /** The type information of {@link MappedEvent} streams. */
    public static final TypeInformation<MappedEvent> TYPE = new SerializerTypeInfo<>(MappedEvent.class, INSTANCE);

    private static final MappedEvent.Kind[] KINDS = MappedEvent.Kind.values();

    /** Set in the kind's byte when a fill snapshot follows the event. */
    private static final int FILL = 0x80;

    @Override
    public void serialize(MappedEvent e, DataOutputView out) throws IOException {
        out.writeUTF(e.id());
        out.writeByte(e.kind().ordinal() | (e.isFill() ? FILL : 0));
        RowEventSerializer.INSTANCE.serialize(e.event(), out);
        if (e.isFill()) {
            io.puffgres.event.Snapshot s = e.fill();
            out.writeLong(s.xmin());
            out.writeLong(s.xmax());
            long[] running = s.running();
            out.writeInt(running.length);
            for (long xid : running) {
                out.writeLong(xid);
            }
            out.writeLong(s.horizon());
        }
    }

    @Override
    public MappedEvent deserialize(DataInputView in) throws IOException {
        String id = in.readUTF();
        int kind = in.readByte() & 0xFF;
        RowEvent event = RowEventSerializer.INSTANCE.deserialize(in);
        io.puffgres.event.Snapshot fill = null;
        if ((kind & FILL) != 0) {
            long xmin = in.readLong();
            long xmax = in.readLong();
            long[] running = new long[in.readInt()];
            for (int i = 0; i < running.length; i++) {
                running[i] = in.readLong();
            }
            fill = new io.puffgres.event.Snapshot(xmin, xmax, running, in.readLong());
        }
        return new MappedEvent(id, KINDS[kind & ~FILL], event, fill);
    }

    @Override
    public TypeSerializerSnapshot<MappedEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Serializer snapshot for checkpoints and savepoints. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<MappedEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
