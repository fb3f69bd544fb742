package io.puffgres.sink;

import io.puffgres.stream.ImmutableSerializer;
import io.puffgres.stream.SnapshotSerializer;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer of the writer's per-id state ({@link IdVersion}): the LSN, the transaction id, a flag byte, then the
 * fill snapshot when the flag says one follows. 17 bytes for an id no fill row touched. Public for Flink, which
 * instantiates the serializer snapshot by name when it restores a checkpoint.
 */
public final class IdVersionSerializer extends ImmutableSerializer<IdVersion> {

    private static final long serialVersionUID = 1L;

    static final IdVersionSerializer INSTANCE = new IdVersionSerializer();

    @Override
    public void serialize(IdVersion v, DataOutputView out) throws IOException {
        out.writeLong(v.lsn());
        out.writeLong(v.txId());
        out.writeBoolean(v.fill() != null);
        if (v.fill() != null) {
            SnapshotSerializer.INSTANCE.serialize(v.fill(), out);
        }
    }

    @Override
    public IdVersion deserialize(DataInputView in) throws IOException {
        long lsn = in.readLong();
        long txId = in.readLong();
        return new IdVersion(lsn, txId, in.readBoolean() ? SnapshotSerializer.INSTANCE.deserialize(in) : null);
    }

    @Override
    public TypeSerializerSnapshot<IdVersion> snapshotConfiguration() {
        return new SerializerSnapshot();
    }

    /** Serializer snapshot for checkpoints and savepoints. */
    public static final class SerializerSnapshot extends SimpleTypeSerializerSnapshot<IdVersion> {
        public SerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
