package io.puffgres.stream;

import io.puffgres.pipeline.MappedEvent;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** Flink serializer of {@link MappedEvent}: the id, the kind and the event ({@link RowEventSerializer}). */
public final class MappedEventSerializer extends ImmutableSerializer<MappedEvent> {

    private static final long serialVersionUID = 1L;

    public static final MappedEventSerializer INSTANCE = new MappedEventSerializer();

    /** The type information of {@link MappedEvent} streams. */
    public static final TypeInformation<MappedEvent> TYPE = new SerializerTypeInfo<>(MappedEvent.class, INSTANCE);

    private static final MappedEvent.Kind[] KINDS = MappedEvent.Kind.values();

    @Override
    public void serialize(MappedEvent e, DataOutputView out) throws IOException {
        out.writeUTF(e.id());
        out.writeByte(e.kind().ordinal());
        RowEventSerializer.INSTANCE.serialize(e.event(), out);
    }

    @Override
    public MappedEvent deserialize(DataInputView in) throws IOException {
        String id = in.readUTF();
        MappedEvent.Kind kind = KINDS[in.readByte()];
        return new MappedEvent(id, kind, RowEventSerializer.INSTANCE.deserialize(in));
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
