package io.puffgres.stream;

import io.puffgres.event.Op;
import io.puffgres.event.PgType;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.event.Unavailable;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink serializer of {@link RowEvent}: a compact tagged binary form of every value type {@link Row} allows, so
 * events never go through Kryo (which cannot handle records and reflects into JDK internals). Events are
 * immutable, so copies are the same instance.
 */
public final class RowEventSerializer extends ImmutableSerializer<RowEvent> {

    private static final long serialVersionUID = 1L;

    public static final RowEventSerializer INSTANCE = new RowEventSerializer();

    /** The type information of {@link RowEvent} streams. */
    public static final TypeInformation<RowEvent> TYPE = new SerializerTypeInfo<>(RowEvent.class, INSTANCE);

    private static final Op[] OPS = Op.values();

    private enum Tag {
        NULL,
        LONG,
        DOUBLE,
        BOOLEAN,
        STRING,
        DECIMAL,
        UUID,
        INSTANT,
        LOCAL_DATE_TIME,
        LOCAL_DATE,
        LOCAL_TIME,
        BYTES,
        FLOATS,
        LIST,
        UNAVAILABLE
    }

    private static final Tag[] TAGS = Tag.values();

    @Override
    public void serialize(RowEvent e, DataOutputView out) throws IOException {
        out.writeByte(e.op().ordinal());
        out.writeUTF(e.relation().schema());
        out.writeUTF(e.relation().name());
        writeRow(e.before(), out);
        writeRow(e.after(), out);
        out.writeLong(e.lsn());
        out.writeLong(e.txId());
        out.writeLong(e.commitTime().getEpochSecond());
        out.writeInt(e.commitTime().getNano());
    }

    @Override
    public RowEvent deserialize(DataInputView in) throws IOException {
        Op op = OPS[in.readByte()];
        RelationId relation = new RelationId(in.readUTF(), in.readUTF());
        Row before = readRow(in);
        Row after = readRow(in);
        long lsn = in.readLong();
        long txId = in.readLong();
        Instant commit = Instant.ofEpochSecond(in.readLong(), in.readInt());
        return new RowEvent(op, relation, before, after, lsn, txId, commit);
    }

    private static void writeRow(Row row, DataOutputView out) throws IOException {
        if (row == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(row.types().size());
        for (Map.Entry<String, PgType> c : row.types().entrySet()) {
            out.writeUTF(c.getKey());
            out.writeUTF(c.getValue().name());
            out.writeBoolean(c.getValue().array());
            writeValue(row.get(c.getKey()), out);
        }
    }

    private static Row readRow(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        Row.Builder row = Row.builder();
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            PgType type = new PgType(in.readUTF(), in.readBoolean());
            row.put(name, type, readValue(in));
        }
        return row.build();
    }

    private static void writeValue(Object v, DataOutputView out) throws IOException {
        if (v == null) {
            out.writeByte(Tag.NULL.ordinal());
        } else if (v instanceof Long l) {
            out.writeByte(Tag.LONG.ordinal());
            out.writeLong(l);
        } else if (v instanceof Double d) {
            out.writeByte(Tag.DOUBLE.ordinal());
            out.writeDouble(d);
        } else if (v instanceof Boolean b) {
            out.writeByte(Tag.BOOLEAN.ordinal());
            out.writeBoolean(b);
        } else if (v instanceof String s) {
            out.writeByte(Tag.STRING.ordinal());
            writeString(s, out);
        } else if (v instanceof BigDecimal d) {
            out.writeByte(Tag.DECIMAL.ordinal());
            out.writeInt(d.scale());
            writeBytes(d.unscaledValue().toByteArray(), out);
        } else if (v instanceof UUID u) {
            out.writeByte(Tag.UUID.ordinal());
            out.writeLong(u.getMostSignificantBits());
            out.writeLong(u.getLeastSignificantBits());
        } else if (v instanceof Instant t) {
            out.writeByte(Tag.INSTANT.ordinal());
            out.writeLong(t.getEpochSecond());
            out.writeInt(t.getNano());
        } else if (v instanceof LocalDateTime t) {
            out.writeByte(Tag.LOCAL_DATE_TIME.ordinal());
            out.writeLong(t.toLocalDate().toEpochDay());
            out.writeLong(t.toLocalTime().toNanoOfDay());
        } else if (v instanceof LocalDate d) {
            out.writeByte(Tag.LOCAL_DATE.ordinal());
            out.writeLong(d.toEpochDay());
        } else if (v instanceof LocalTime t) {
            out.writeByte(Tag.LOCAL_TIME.ordinal());
            out.writeLong(t.toNanoOfDay());
        } else if (v instanceof byte[] b) {
            out.writeByte(Tag.BYTES.ordinal());
            writeBytes(b, out);
        } else if (v instanceof float[] f) {
            out.writeByte(Tag.FLOATS.ordinal());
            out.writeInt(f.length);
            for (float x : f) {
                out.writeFloat(x);
            }
        } else if (v instanceof List<?> list) {
            out.writeByte(Tag.LIST.ordinal());
            out.writeInt(list.size());
            for (Object item : list) {
                writeValue(item, out);
            }
        } else if (Unavailable.is(v)) {
            out.writeByte(Tag.UNAVAILABLE.ordinal());
        } else {
            throw new IOException("a Row cannot hold a " + v.getClass().getName() + " (see io.puffgres.event.Row)");
        }
    }

    private static Object readValue(DataInputView in) throws IOException {
        return switch (TAGS[in.readByte()]) {
            case NULL -> null;
            case LONG -> in.readLong();
            case DOUBLE -> in.readDouble();
            case BOOLEAN -> in.readBoolean();
            case STRING -> readString(in);
            case DECIMAL -> {
                int scale = in.readInt();
                yield new BigDecimal(new BigInteger(readBytes(in)), scale);
            }
            case UUID -> new UUID(in.readLong(), in.readLong());
            case INSTANT -> Instant.ofEpochSecond(in.readLong(), in.readInt());
            case LOCAL_DATE_TIME ->
                LocalDateTime.of(LocalDate.ofEpochDay(in.readLong()), LocalTime.ofNanoOfDay(in.readLong()));
            case LOCAL_DATE -> LocalDate.ofEpochDay(in.readLong());
            case LOCAL_TIME -> LocalTime.ofNanoOfDay(in.readLong());
            case BYTES -> readBytes(in);
            case FLOATS -> {
                float[] f = new float[in.readInt()];
                for (int i = 0; i < f.length; i++) {
                    f[i] = in.readFloat();
                }
                yield f;
            }
            case LIST -> {
                int n = in.readInt();
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(readValue(in));
                }
                yield java.util.Collections.unmodifiableList(items);
            }
            case UNAVAILABLE -> Unavailable.VALUE;
        };
    }

    /** Strings can exceed writeUTF's 64 KiB limit (TOASTed text), so they go as length-prefixed UTF-8. */
    private static void writeString(String s, DataOutputView out) throws IOException {
        writeBytes(s.getBytes(java.nio.charset.StandardCharsets.UTF_8), out);
    }

    private static String readString(DataInputView in) throws IOException {
        return new String(readBytes(in), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void writeBytes(byte[] b, DataOutputView out) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputView in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }

    @Override
    public TypeSerializerSnapshot<RowEvent> snapshotConfiguration() {
        return new RowEventSerializerSnapshot();
    }

    /** Serializer snapshot for checkpoints and savepoints. */
    public static final class RowEventSerializerSnapshot extends SimpleTypeSerializerSnapshot<RowEvent> {
        public RowEventSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
