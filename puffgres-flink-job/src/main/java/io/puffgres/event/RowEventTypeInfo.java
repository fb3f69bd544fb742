package io.puffgres.event;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** Flink type information for {@link RowEvent}, backed by {@link RowEventSerializer} (never Kryo). */
public final class RowEventTypeInfo extends TypeInformation<RowEvent> {

    private static final long serialVersionUID = 1L;

    public static final RowEventTypeInfo INSTANCE = new RowEventTypeInfo();

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<RowEvent> getTypeClass() {
        return RowEvent.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<RowEvent> createSerializer(SerializerConfig config) {
        return RowEventSerializer.INSTANCE;
    }

    @Override
    @SuppressWarnings("deprecation")
    public TypeSerializer<RowEvent> createSerializer(org.apache.flink.api.common.ExecutionConfig config) {
        return RowEventSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "RowEvent";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowEventTypeInfo;
    }

    @Override
    public int hashCode() {
        return RowEventTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof RowEventTypeInfo;
    }
}
