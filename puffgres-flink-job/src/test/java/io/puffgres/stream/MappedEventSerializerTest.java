package io.puffgres.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.event.Op;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.event.Snapshot;
import io.puffgres.pipeline.MappedEvent;
import java.time.Instant;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class MappedEventSerializerTest {

    private static final RowEvent ROW = new RowEvent(
            Op.READ,
            new RelationId("public", "items"),
            null,
            Row.builder().put("id", "int8", 7L).build(),
            0x2000,
            -1,
            Instant.EPOCH);

    private static MappedEvent roundTrip(MappedEvent e) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        MappedEventSerializer.INSTANCE.serialize(e, out);
        return MappedEventSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void aFillRowKeepsItsSnapshot() throws Exception {
        MappedEvent e = MappedEvent.filled("7", ROW, Snapshot.parse("750:754:750,752", 0x2000));
        MappedEvent back = roundTrip(e);
        assertThat(back.fill()).isEqualTo(e.fill());
        assertThat(back.kind()).isEqualTo(MappedEvent.Kind.CHANGE);
        assertThat(back.id()).isEqualTo("7");
        assertThat(back.event().after().get("id")).isEqualTo(7L);
    }

    @Test
    void aStreamedChangeReadsAsBefore() throws Exception {
        for (MappedEvent.Kind kind : MappedEvent.Kind.values()) {
            MappedEvent back = roundTrip(new MappedEvent("7", kind, ROW));
            assertThat(back.kind()).isEqualTo(kind);
            assertThat(back.isFill()).isFalse();
        }
    }

    @Test
    void whatAnEarlierVersionWroteReadsWithoutSnapshot() throws Exception {
        // the format before fills: id, kind ordinal, event
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeUTF("7");
        out.writeByte(MappedEvent.Kind.DELETE.ordinal());
        RowEventSerializer.INSTANCE.serialize(ROW, out);
        MappedEvent back = MappedEventSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).isEqualTo(new MappedEvent("7", MappedEvent.Kind.DELETE, ROW));
    }
}
