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
 * row's snapshot ({@link SnapshotSerializer}). The kind's byte carries {@link #FILL} when a snapshot follows, so what earlier versions wrote (never
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
            SnapshotSerializer.INSTANCE.serialize(e.fill(), out);
        }
    }

    @Override
    public MappedEvent deserialize(DataInputView in) throws IOException {
        String id = in.readUTF();
        int kind = in.readByte() & 0xFF;
        RowEvent event = RowEventSerializer.INSTANCE.deserialize(in);
        io.puffgres.event.Snapshot fill = (kind & FILL) != 0 ? SnapshotSerializer.INSTANCE.deserialize(in) : null;
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
