package io.puffgres.transform;

import io.puffgres.document.AttributeNames;
import io.puffgres.document.AttributeSchema;
import io.puffgres.event.PgType;
import io.puffgres.event.Row;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * Converts row values into what a JS transform sees, and a transform's returned object into document
 * attributes. See docs/transforms.md for the table. Stateless.
 */
final class JsValues {

    /** Integers beyond this lose precision as JS numbers, so they reach JS as strings. */
    private static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    private static final Pattern VECTOR_TYPE = Pattern.compile("\\[(\\d+)\\]f(32|16)");

    private JsValues() {}

    /** A JS-side view of the row; json/jsonb values are strings here and parsed by the prelude. */
    static ProxyObject row(Row row) {
        Map<String, Object> values = new HashMap<>(row.values().size() * 2);
        for (Map.Entry<String, Object> e : row.values().entrySet()) {
            values.put(e.getKey(), toJs(e.getValue()));
        }
        return ProxyObject.fromMap(values);
    }

    /** The json/jsonb columns of a row, each followed by NUL; the prelude parses their values into objects. */
    static String jsonColumns(Row row) {
        StringBuilder names = new StringBuilder();
        for (Map.Entry<String, PgType> e : row.types().entrySet()) {
            if (e.getValue().category() == PgType.Category.JSON && !e.getValue().array()) {
                names.append(e.getKey()).append('\u0000');
            }
        }
        return names.toString();
    }

    private static Object toJs(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Double) {
            return v;
        }
        if (v instanceof Long l) {
            return Math.abs(l) <= MAX_SAFE_INTEGER ? (Object) l : l.toString();
        }
        if (v instanceof BigDecimal d) {
            return d.doubleValue();
        }
        if (v instanceof Instant || v instanceof LocalDate || v instanceof UUID) {
            return v.toString();
        }
        if (v instanceof LocalDateTime t) {
            return t.toInstant(ZoneOffset.UTC).toString();
        }
        if (v instanceof byte[] b) {
            return Base64.getEncoder().encodeToString(b);
        }
        if (v instanceof float[] f) {
            Object[] boxed = new Object[f.length];
            for (int i = 0; i < f.length; i++) {
                boxed[i] = (double) f[i];
            }
            return ProxyArray.fromArray(boxed);
        }
        if (v instanceof List<?> list) {
            List<Object> items = new ArrayList<>(list.size());
            list.forEach(item -> items.add(toJs(item)));
            return ProxyArray.fromList(items);
        }
        return v.toString();
    }

    /** Thrown for a returned value that cannot become a document; the message names the attribute. */
    static final class BadOutput extends Exception {
        BadOutput(String message) {
            super(message);
        }
    }

    /** The attributes of a returned object ({@code id} excluded; checked by the caller). */
    static Map<String, Object> attributes(Value result, Map<String, AttributeSchema> hints) throws BadOutput {
        Map<String, Object> attrs = new LinkedHashMap<>();
        for (String key : result.getMemberKeys()) {
            if (key.equals("id")) {
                continue;
            }
            var bad = AttributeNames.problem(key);
            if (bad.isPresent()) {
                throw new BadOutput(bad.get());
            }
            AttributeSchema hint = hints.get(key);
            attrs.put(
                    key,
                    fromJs(
                            result.getMember(key),
                            hint == null ? null : hint.type().orElse(null),
                            key));
        }
        return attrs;
    }

    private static Object fromJs(Value v, String hintType, String name) throws BadOutput {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isString()) {
            return string(v.asString(), hintType, name);
        }
        if (v.isNumber()) {
            return number(v, hintType, name);
        }
        if (v.isInstant()) {
            return v.asInstant();
        }
        if (v.hasArrayElements()) {
            return array(v, hintType, name);
        }
        if (v.hasMembers()) {
            throw new BadOutput("attribute \"" + name + "\" is an object; turbopuffer attributes are scalars or arrays"
                    + " (use JSON.stringify for JSON text)");
        }
        throw new BadOutput("attribute \"" + name + "\" has an unsupported value " + v);
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

    private static Object number(Value v, String hintType, String name) throws BadOutput {
        double d = v.asDouble();
        if (!Double.isFinite(d)) {
            throw new BadOutput("attribute \"" + name + "\" is " + d + "; turbopuffer JSON has no NaN or Infinity");
        }
        if ("float".equals(hintType)) {
            return d;
        }
        if (v.fitsInLong()) {
            long l = v.asLong();
            if ("uint".equals(hintType) && l < 0) {
                throw new BadOutput("attribute \"" + name + "\" must be >= 0 per tp_schema uint (got " + l + ")");
            }
            return l;
        }
        return d;
    }

    private static Object array(Value v, String hintType, String name) throws BadOutput {
        int size = (int) v.getArraySize();
        Matcher vector = hintType == null ? null : VECTOR_TYPE.matcher(hintType);
        if (vector != null && vector.matches()) {
            int dims = Integer.parseInt(vector.group(1));
            if (dims != size) {
                throw new BadOutput(
                        "attribute \"" + name + "\" has " + size + " dimensions but tp_schema says " + hintType);
            }
            float[] f = new float[size];
            for (int i = 0; i < size; i++) {
                f[i] = (float) v.getArrayElement(i).asDouble();
            }
            return f;
        }
        String elementHint = hintType != null && hintType.startsWith("[]") ? hintType.substring(2) : null;
        List<Object> items = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            Object item = fromJs(v.getArrayElement(i), elementHint, name);
            if (item == null) {
                throw new BadOutput(
                        "attribute \"" + name + "\" has a null element; turbopuffer arrays cannot hold null");
            }
            items.add(item);
        }
        return items;
    }
}
