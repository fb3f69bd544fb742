package io.puffgres.client;

import com.fasterxml.jackson.core.JsonGenerator;
import io.puffgres.document.DocId;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Writes document values as turbopuffer JSON with Jackson's streaming generator. */
final class JsonValues {

    private JsonValues() {}

    static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else if (v instanceof Float f) {
            g.writeNumber(f);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof BigInteger b) {
            g.writeNumber(b);
        } else if (v instanceof BigDecimal d) {
            g.writeNumber(d);
        } else if (v instanceof UUID || v instanceof Instant) {
            g.writeString(v.toString());
        } else if (v instanceof DocId id) {
            write(g, id.json());
        } else if (v instanceof float[] vector) {
            g.writeStartArray();
            for (float x : vector) {
                g.writeNumber(x);
            }
            g.writeEndArray();
        } else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object item : list) {
                write(g, item);
            }
            g.writeEndArray();
        } else if (v instanceof Map<?, ?> map) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                g.writeFieldName(e.getKey().toString());
                write(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof Filter.RefNew ref) {
            g.writeStartObject();
            g.writeStringField("$ref_new", ref.attribute());
            g.writeEndObject();
        } else if (v instanceof Filter f) {
            f.write(g);
        } else {
            throw new IllegalArgumentException("cannot encode a " + v.getClass().getName() + " as turbopuffer JSON");
        }
    }
}
