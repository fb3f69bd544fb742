package io.puffgres.transform;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.puffgres.document.AttributeNames;
import io.puffgres.document.AttributeSchema;
import io.puffgres.document.DocId;
import io.puffgres.event.PgType;
import io.puffgres.event.Row;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts row values into what a JS transform sees, and a transform's returned object into document
 * attributes. See docs/transforms.md for the table. Stateless.
 */
final class JsValues {

    /** Integers beyond this lose precision as JS numbers, so they reach JS as strings. */
    private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    private static final Pattern VECTOR_TYPE = Pattern.compile("\\[(\\d+)\\]f(32|16)");

    private JsValues() {}

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * The row as JSON text for {@code JSON.parse} on the JS side (one boundary crossing instead of one per
     * column): json/jsonb values are embedded as JSON, timestamps and uuids as ISO/text strings, integers beyond
     * 2^53 as strings, NaN and infinities as the strings "NaN", "Infinity", "-Infinity".
     */
    static String rowJson(Row row) {
        StringWriter text = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(text)) {
            g.writeStartObject();
            for (Map.Entry<String, Object> e : row.values().entrySet()) {
                g.writeFieldName(e.getKey());
                PgType type = row.type(e.getKey());
                if (type.category() == PgType.Category.JSON && !type.array() && e.getValue() != null) {
                    g.writeRawValue(e.getValue().toString());
                } else {
                    write(g, e.getValue());
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the row for the JS transform", e);
        }
        return text.toString();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Long l) {
            if (Math.abs(l) <= MAX_SAFE_INTEGER) {
                g.writeNumber(l);
            } else {
                g.writeString(l.toString());
            }
        } else if (v instanceof Double d) {
            if (Double.isFinite(d)) {
                g.writeNumber(d);
            } else {
                g.writeString(d.toString());
            }
        } else if (v instanceof BigDecimal d) {
            g.writeNumber(d.doubleValue());
        } else if (v instanceof LocalDateTime t) {
            g.writeString(t.toInstant(ZoneOffset.UTC).toString());
        } else if (v instanceof byte[] b) {
            g.writeString(Base64.getEncoder().encodeToString(b));
        } else if (v instanceof float[] f) {
            g.writeStartArray();
            for (float x : f) {
                g.writeNumber(x);
            }
            g.writeEndArray();
        } else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object item : list) {
                write(g, item);
            }
            g.writeEndArray();
        } else {
            g.writeString(v.toString());
        }
    }

    /** Thrown for a returned value that cannot become a document; the message names the attribute. */
    static final class BadOutput extends Exception {
        BadOutput(String message) {
            super(message);
        }
    }

    /**
     * The attributes of a returned object, sent back as JSON text.
     *
     * @param dateKeys names of attributes that were JS Dates (now ISO strings), each followed by NUL
     * @throws BadOutput naming the attribute that cannot be stored, or a returned id differing from {@code id}
     */
    static Map<String, Object> attributes(String json, String dateKeys, DocId id, Map<String, AttributeSchema> hints)
            throws BadOutput {
        JsonNode object;
        try {
            object = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new BadOutput("the returned object is not serialisable: " + e.getOriginalMessage());
        }
        Set<String> dates = dateKeys.isEmpty() ? Set.of() : Set.of(dateKeys.split("\0"));
        Map<String, Object> attrs = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = field.getKey();
            if (key.equals("id")) {
                JsonNode returned = field.getValue();
                if (!returned.isNull() && !returned.asText().equals(id.toString())) {
                    throw new BadOutput("the returned id " + returned + " differs from the row's id " + id
                            + "; ids come from the mapping's id column");
                }
                continue;
            }
            Optional<String> bad = AttributeNames.problem(key);
            if (bad.isPresent()) {
                throw new BadOutput(bad.get());
            }
            AttributeSchema hint = hints.get(key);
            String hintType = dates.contains(key)
                    ? "datetime"
                    : hint == null ? null : hint.type().orElse(null);
            attrs.put(key, fromJson(field.getValue(), hintType, key));
        }
        return attrs;
    }

    private static Object fromJson(JsonNode v, String hintType, String name) throws BadOutput {
        if (v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isTextual()) {
            return string(v.textValue(), hintType, name);
        }
        if (v.isNumber()) {
            return number(v, hintType, name);
        }
        if (v.isArray()) {
            return array(v, hintType, name);
        }
        throw new BadOutput("attribute \"" + name + "\" is an object; turbopuffer attributes are scalars or arrays"
                + " (use JSON.stringify for JSON text)");
    }

    private static Object string(String s, String hintType, String name) throws BadOutput {
        try {
            if ("uuid".equals(hintType)) {
                return UUID.fromString(s);
            }
            if ("datetime".equals(hintType)) {
                return Instant.parse(s);
            }
        } catch (RuntimeException e) {
            throw new BadOutput(
                    "attribute \"" + name + "\" must be a " + hintType + " per tp_schema (got \"" + s + "\")");
        }
        return s;
    }

    private static Object number(JsonNode v, String hintType, String name) throws BadOutput {
        if ("float".equals(hintType)) {
            return v.doubleValue();
        }
        if (v.canConvertToExactIntegral() && v.canConvertToLong()) {
            long l = v.longValue();
            if ("uint".equals(hintType) && l < 0) {
                throw new BadOutput("attribute \"" + name + "\" must be >= 0 per tp_schema uint (got " + l + ")");
            }
            return l;
        }
        return v.doubleValue();
    }

    private static Object array(JsonNode v, String hintType, String name) throws BadOutput {
        int size = v.size();
        Matcher vector = hintType == null ? null : VECTOR_TYPE.matcher(hintType);
        if (vector != null && vector.matches()) {
            int dims = Integer.parseInt(vector.group(1));
            if (dims != size) {
                throw new BadOutput(
                        "attribute \"" + name + "\" has " + size + " dimensions but tp_schema says " + hintType);
            }
            float[] f = new float[size];
            for (int i = 0; i < size; i++) {
                f[i] = (float) v.get(i).asDouble();
            }
            return f;
        }
        String elementHint = hintType != null && hintType.startsWith("[]") ? hintType.substring(2) : null;
        List<Object> items = new ArrayList<>(size);
        for (JsonNode element : v) {
            Object item = fromJson(element, elementHint, name);
            if (item == null) {
                throw new BadOutput(
                        "attribute \"" + name + "\" has a null element; turbopuffer arrays cannot hold null");
            }
            items.add(item);
        }
        return items;
    }
}
