package io.puffgres.stream;

import io.puffgres.event.RowEvent;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A change routed to one mapping: what to do with which document id.
 *
 * @param id the document id in text form ({@link io.puffgres.document.DocId#toString()}); the key of the
 *     mapping's keyed stream. For {@link Kind#TRUNCATE}, a key that reaches one writer subtask (each gets one).
 * @param kind {@link Kind#CHANGE}: decide membership on {@code event.after()} and transform it; {@link
 *     Kind#DELETE}: delete {@code id}; {@link Kind#TRUNCATE}: delete the mapping's documents older than the event
 */
public record MappedEvent(String id, Kind kind, RowEvent event) {

    public enum Kind {
        CHANGE,
        DELETE,
        TRUNCATE
    }

    public MappedEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(event, "event");
    }

    public MappedEvent withKind(Kind newKind) {
        return new MappedEvent(id, newKind, event);
    }

    public MappedEvent withEvent(RowEvent newEvent) {
        return new MappedEvent(id, kind, newEvent);
    }

    /** The type information of {@link MappedEvent} streams. */
    public static final TypeInformation<MappedEvent> TYPE =
            new SerializerTypeInfo<>(MappedEvent.class, Serializer.INSTANCE);

    /** Writes the id, the kind and the event. */
    public static final class Serializer extends ImmutableSerializer<MappedEvent> {
        private static final long serialVersionUID = 1L;
        public static final Serializer INSTANCE = new Serializer();
        private static final Kind[] KINDS = Kind.values();

        @Override
        public void serialize(MappedEvent e, DataOutputView out) throws IOException {
            out.writeUTF(e.id());
            out.writeByte(e.kind().ordinal());
            RowEventSerializer.INSTANCE.serialize(e.event(), out);
        }

        @Override
        public MappedEvent deserialize(DataInputView in) throws IOException {
            String id = in.readUTF();
            Kind kind = KINDS[in.readByte()];
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
}
