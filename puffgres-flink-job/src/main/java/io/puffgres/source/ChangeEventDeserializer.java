package io.puffgres.source;

import io.puffgres.event.Op;
import io.puffgres.event.PgType;
import io.puffgres.event.PgVector;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.event.Unavailable;
import io.puffgres.pgtext.PgText;
import io.puffgres.pgtext.PgTimes;
import io.puffgres.stream.RowEventSerializer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns Debezium change records from the Flink CDC Postgres source into {@link RowEvent}s, so nothing downstream
 * sees Debezium or Kafka Connect types. Needs {@code column.propagate.source.type=.*} (see {@link
 * PostgresCdcSources}) to know each column's Postgres type. Values follow {@link Row}'s representation. Every
 * streamed INSERT, UPDATE and DELETE carries its transaction id (pgoutput and wal2json both report it); one without
 * fails the source rather than reach the writer, which could not order it against a fill row.
 * Serializable; holds nothing but where each schema's fields are. Used by one thread (a source reader's).
 */
public final class ChangeEventDeserializer implements DebeziumDeserializationSchema<RowEvent> {

    private static final long serialVersionUID = 1L;

    private static final String SOURCE_TYPE = "__debezium.source.column.type";

    /**
     * Where the fields of each envelope schema are, and each column's Postgres type: Debezium reuses a table's
     * schemas from change to change, so they are looked up once per schema, not by name in every change.
     */
    private transient Map<Schema, Layout> layouts;

    /** The fields of one envelope schema; {@code op} null for records that carry no row change. */
    private record Layout(
            Field op,
            Field source,
            Field schema,
            Field table,
            Field lsn,
            Field txId,
            Field tsMs,
            Field before,
            Columns beforeColumns,
            Field after,
            Columns afterColumns) {

        static Layout of(Schema envelope) {
            Field op = envelope.field("op");
            Field source = envelope.field("source");
            if (op == null || source == null) {
                return new Layout(null, null, null, null, null, null, null, null, null, null, null);
            }
            Schema s = source.schema();
            Field before = envelope.field("before");
            Field after = envelope.field("after");
            return new Layout(
                    op,
                    source,
                    s.field("schema"),
                    s.field("table"),
                    s.field("lsn"),
                    s.field("txId"),
                    s.field("ts_ms"),
                    before,
                    before == null ? null : Columns.of(before.schema()),
                    after,
                    after == null ? null : Columns.of(after.schema()));
        }
    }

    /** A row schema's fields and their Postgres types. */
    private record Columns(Field[] fields, PgType[] types) {
        static Columns of(Schema row) {
            Field[] fields = row.fields().toArray(Field[]::new);
            PgType[] types = new PgType[fields.length];
            for (int i = 0; i < fields.length; i++) {
                types[i] = pgType(fields[i].schema());
            }
            return new Columns(fields, types);
        }
    }

    /** Envelope schemas remembered at most (a schema change makes new ones); then the memory starts again. */
    private static final int MAX_LAYOUTS = 256;

    private Layout layout(Schema envelope) {
        if (layouts == null) {
            layouts = new IdentityHashMap<>();
        }
        Layout l = layouts.get(envelope);
        if (l == null) {
            if (layouts.size() >= MAX_LAYOUTS) {
                layouts.clear();
            }
            l = Layout.of(envelope);
            layouts.put(envelope, l);
        }
        return l;
    }

    @Override
    public void deserialize(SourceRecord record, Collector<RowEvent> out) {
        if (!(record.value() instanceof Struct value)) {
            return;
        }
        Layout l = layout(value.schema());
        if (l.op() == null) {
            return; // heartbeats and schema-change records carry no row change
        }
        Op op = switch ((String) value.get(l.op())) {
            case "r" -> Op.READ;
            case "c" -> Op.INSERT;
            case "u" -> Op.UPDATE;
            case "d" -> Op.DELETE;
            case "t" -> Op.TRUNCATE;
            default -> null;
        };
        if (op == null) {
            return;
        }
        Struct source = (Struct) value.get(l.source());
        RelationId relation = new RelationId((String) source.get(l.schema()), (String) source.get(l.table()));
        Long lsn = l.lsn() == null ? null : (Long) source.get(l.lsn());
        Long txId = l.txId() == null ? null : (Long) source.get(l.txId());
        Long tsMs = (Long) source.get(l.tsMs());
        if (txId == null && (op == Op.INSERT || op == Op.UPDATE || op == Op.DELETE)) {
            // a fill row is ordered against a change by whether the fill's snapshot sees the change's transaction
            throw new IllegalStateException("the " + op + " in " + relation + " at LSN "
                    + RowEvent.lsnText(lsn == null ? 0 : lsn) + " carries no transaction id (Debezium's source.txId),"
                    + " without which it cannot be ordered against the rows a fill reads");
        }
        out.collect(new RowEvent(
                op,
                relation,
                row(value, l.before(), l.beforeColumns()),
                row(value, l.after(), l.afterColumns()),
                lsn == null ? 0 : lsn,
                txId == null ? -1 : txId,
                Instant.ofEpochMilli(tsMs == null ? 0 : tsMs)));
    }

    private static Row row(Struct value, Field side, Columns columns) {
        if (side == null || !(value.get(side) instanceof Struct struct)) {
            return null;
        }
        Row.Builder row = Row.builder();
        Field[] fields = columns.fields();
        for (int i = 0; i < fields.length; i++) {
            Field field = fields[i];
            PgType type = columns.types()[i];
            row.put(field.name(), type, convert(field.schema(), struct.get(field), type));
        }
        return row.build();
    }

    /**
     * A column's Postgres type: the propagated one, except that a domain (which arrives under its own name) over a
     * number, boolean or time is typed as its base type, as lookups and the poll source read it. A domain over a text
     * type keeps its name; its values are text either way.
     */
    static PgType pgType(Schema schema) {
        String source = schema.parameters() == null ? null : schema.parameters().get(SOURCE_TYPE);
        PgType named = source == null ? PgType.of("text") : PgType.of(source);
        // money, the one built-in type without a category whose schema is no string (a Decimal), is no domain; bits and
        // intervals arrive as text (PgTextConverter, interval.handling.mode)
        if (named.category() != PgType.Category.OTHER
                || named.array()
                || named.name().equals("money")) {
            return named;
        }
        String base = baseType(schema);
        return base == null ? named : PgType.of(base);
    }

    /** The Postgres type a Connect schema Debezium builds stands for, or null for text and bytes. */
    private static String baseType(Schema schema) {
        String logical = schema.name() == null ? "" : schema.name();
        return switch (logical) {
            case "org.apache.kafka.connect.data.Decimal", "io.debezium.data.VariableScaleDecimal" -> "numeric";
            case "io.debezium.time.Date" -> "date";
            case "io.debezium.time.Timestamp", "io.debezium.time.MicroTimestamp", "io.debezium.time.NanoTimestamp" ->
                "timestamp";
            case "io.debezium.time.ZonedTimestamp" -> "timestamptz";
            case "io.debezium.time.Time", "io.debezium.time.MicroTime", "io.debezium.time.NanoTime" -> "time";
            case "io.debezium.time.ZonedTime" -> "timetz";
            case "io.debezium.data.Uuid" -> "uuid";
            case "io.debezium.data.Json" -> "jsonb";
            default ->
                switch (schema.type()) {
                    case INT8, INT16 -> "int2";
                    case INT32 -> "int4";
                    case INT64 -> "int8";
                    case FLOAT32 -> "float4";
                    case FLOAT64 -> "float8";
                    case BOOLEAN -> "bool";
                    default -> null;
                };
        };
    }

    /**
     * A Connect value as {@link Row} represents it; Debezium's unchanged-TOAST placeholder ({@link Unavailable#TEXT},
     * as text or bytea) becomes {@link Unavailable#VALUE}.
     */
    static Object convert(Schema schema, Object v, PgType type) {
        if (v == null) {
            return null;
        }
        if (Unavailable.TEXT.equals(v) || (v instanceof byte[] b && isUnavailable(b))) {
            return Unavailable.VALUE;
        }
        String logical = schema.name() == null ? "" : schema.name();
        switch (logical) {
            case "org.apache.kafka.connect.data.Decimal":
                return v instanceof BigDecimal d ? d : new BigDecimal(new BigInteger(bytes(v)), scale(schema));
            case "io.debezium.data.VariableScaleDecimal": {
                Struct s = (Struct) v;
                return new BigDecimal(new BigInteger(bytes(s.get("value"))), s.getInt32("scale"));
            }
            case "io.debezium.time.Date":
                return PgTimes.epochDay(((Number) v).longValue());
            case "io.debezium.time.Timestamp":
                return PgTimes.epochMillis(((Number) v).longValue());
            case "io.debezium.time.MicroTimestamp":
                return PgTimes.epochMicros(((Number) v).longValue());
            case "io.debezium.time.NanoTimestamp":
                return LocalDateTime.ofEpochSecond(0, 0, ZoneOffset.UTC).plusNanos(((Number) v).longValue());
            case "io.debezium.time.ZonedTimestamp":
                return PgTimes.zonedTimestamp((String) v);
            case "io.debezium.time.Time":
                return LocalTime.ofNanoOfDay(((Number) v).longValue() * 1_000_000);
            case "io.debezium.time.MicroTime":
                return LocalTime.ofNanoOfDay(((Number) v).longValue() * 1000);
            case "io.debezium.time.NanoTime":
                return LocalTime.ofNanoOfDay(((Number) v).longValue());
            case "io.debezium.data.Uuid":
                return UUID.fromString((String) v);
            default:
                break;
        }
        return switch (schema.type()) {
            case INT8, INT16, INT32, INT64 -> ((Number) v).longValue();
            case FLOAT32 -> (double) ((Number) v).floatValue();
            case FLOAT64 -> ((Number) v).doubleValue();
            case BOOLEAN -> v;
            // a type Debezium has no converter for (include.unknown.datatypes): its text as UTF-8 bytes
            case BYTES ->
                logical.isEmpty() && type.category() != PgType.Category.BYTEA
                        ? PgText.scalar(new String(bytes(v), StandardCharsets.UTF_8), type)
                        : bytes(v);
            case STRING -> {
                if (type.array()) {
                    yield PgText.text((String) v, type); // an array's text form (PgTextConverter)
                }
                yield type.category() == PgType.Category.VECTOR ? PgVector.parse((String) v) : v;
            }
            default -> v.toString();
        };
    }

    /** The marker as bytea, checked without decoding every bytea value into a string. */
    private static boolean isUnavailable(byte[] b) {
        return b.length == Unavailable.TEXT.length()
                && Unavailable.TEXT.equals(new String(b, StandardCharsets.US_ASCII));
    }

    private static int scale(Schema schema) {
        return Integer.parseInt(schema.parameters().getOrDefault("scale", "0"));
    }

    private static byte[] bytes(Object v) {
        if (v instanceof ByteBuffer buffer) {
            byte[] b = new byte[buffer.remaining()];
            buffer.duplicate().get(b);
            return b;
        }
        return (byte[]) v;
    }

    @Override
    public TypeInformation<RowEvent> getProducedType() {
        return RowEventSerializer.TYPE;
    }
}
