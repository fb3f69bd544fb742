package io.puffgres.document;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.puffgres.event.PgType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts one Postgres value (as {@link io.puffgres.event.Row} represents it) into turbopuffer attribute
 * values (as {@link Document} represents them), honouring a {@code tp_schema} hint. Stateless and thread-safe.
 * Problems are returned as messages naming the column, never thrown. See docs/types.md for the table.
 */
public final class ValueConverter {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VECTOR_TYPE = Pattern.compile("\\[(\\d+)\\]f(32|16)");

    private ValueConverter() {}

    /**
     * Puts the attribute(s) for {@code column} into {@code into}: one attribute named after the column, or one
     * per top-level key ({@code column.key}) for a flattened json object.
     *
     * @return the problem, or empty when the value was converted
     */
    public static Optional<String> put(
            Map<String, Object> into, String column, PgType type, Object value, AttributeSchema hint) {
        if (hint != null && hint.flatten()) {
            return flatten(into, column, type, value);
        }
        String hintType = hint == null ? null : hint.type().orElse(null);
        try {
            into.put(column, value == null ? null : convert(type, value, hintType));
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of("column \"" + column + "\" (" + type + "): " + e.getMessage());
        }
    }

    private static Object convert(PgType type, Object value, String hintType) {
        if (type.array()) {
            if (!(value instanceof List<?> list)) {
                throw new IllegalArgumentException("expected an array value, got " + DocIds.show(value));
            }
            PgType element = new PgType(type.name(), false);
            String elementHint = hintType != null && hintType.startsWith("[]") ? hintType.substring(2) : null;
            if (hintType != null && elementHint == null) {
                throw new IllegalArgumentException("hint type " + hintType + " does not fit an array column");
            }
            List<Object> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) == null) {
                    throw new IllegalArgumentException(
                            "element " + (i + 1) + " is NULL; turbopuffer arrays cannot hold NULL");
                }
                if (list.get(i) instanceof List<?>) {
                    throw new IllegalArgumentException("the array has more than one dimension; turbopuffer arrays"
                            + " have one (a transform can flatten it or write it as text)");
                }
                out.add(convert(element, list.get(i), elementHint));
            }
            return out;
        }
        return switch (type.category()) {
            case INTEGER ->
                value instanceof Long l && (hintType == null || hintType.equals("int"))
                        ? l // the common case, without boxing the long again
                        : integer(((Number) value).longValue(), hintType);
            case NUMERIC -> numeric(value, hintType);
            case FLOAT ->
                value instanceof Double d && hintType == null && Double.isFinite(d)
                        ? d // the common case, without boxing the double again
                        : floating(((Number) value).doubleValue(), hintType);
            case BOOLEAN -> hinted(hintType, "bool", value, value.toString());
            case TEXT -> text((String) value, hintType);
            case UUID -> hinted(hintType, "uuid", value, value.toString());
            case TIMESTAMPTZ -> datetime((Instant) value, hintType);
            case TIMESTAMP -> datetime(((LocalDateTime) value).toInstant(ZoneOffset.UTC), hintType);
            case DATE -> datetime(((LocalDate) value).atStartOfDay().toInstant(ZoneOffset.UTC), hintType);
            case BYTEA -> hinted(hintType, "string", Base64.getEncoder().encodeToString((byte[]) value), null);
            case VECTOR -> vector(value, hintType);
            case JSON -> hinted(hintType, "string", value.toString(), null);
            default -> hinted(hintType, "string", value.toString(), null);
        };
    }

    private static Object integer(long v, String hintType) {
        if (hintType == null || hintType.equals("int")) {
            return v;
        }
        return switch (hintType) {
            case "uint" -> {
                if (v < 0) {
                    throw new IllegalArgumentException("hint type uint needs a value >= 0 (got " + v + ")");
                }
                yield v;
            }
            case "float" -> (double) v;
            case "string" -> Long.toString(v);
            default -> throw mismatch(hintType);
        };
    }

    private static Object numeric(Object value, String hintType) {
        if (value instanceof Double d) {
            // NaN and the infinities of numeric arrive as Double
            return floating(d, hintType);
        }
        BigDecimal d = (BigDecimal) value;
        if (hintType == null || hintType.equals("float")) {
            return d.doubleValue();
        }
        return switch (hintType) {
            case "string" -> d.toPlainString();
            case "int", "uint" -> {
                try {
                    long v = d.longValueExact();
                    yield integer(v, hintType);
                } catch (ArithmeticException e) {
                    throw new IllegalArgumentException("hint type " + hintType
                            + " needs a whole number within 64 bits (got " + d.toPlainString() + ")");
                }
            }
            default -> throw mismatch(hintType);
        };
    }

    private static Object floating(double v, String hintType) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(v + " cannot be stored: turbopuffer JSON has no NaN or Infinity");
        }
        if (hintType == null || hintType.equals("float")) {
            return v;
        }
        if (hintType.equals("string")) {
            return Double.toString(v);
        }
        throw mismatch(hintType);
    }

    private static Object text(String s, String hintType) {
        if (hintType == null || hintType.equals("string")) {
            return s;
        }
        if (hintType.equals("uuid")) {
            try {
                return UUID.fromString(s.strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("hint type uuid needs a UUID (got " + DocIds.show(s) + ")");
            }
        }
        if (hintType.equals("datetime")) {
            try {
                return Instant.parse(s.strip());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "hint type datetime needs an ISO 8601 instant such as 2024-05-01T12:00:00Z (got "
                                + DocIds.show(s) + ")");
            }
        }
        throw mismatch(hintType);
    }

    private static Object datetime(Instant v, String hintType) {
        if (hintType == null || hintType.equals("datetime")) {
            if (v.isBefore(FIRST_DATETIME) || !v.isBefore(PAST_LAST_DATETIME)) {
                throw new IllegalArgumentException(
                        v + " is outside the years 0000 to 9999 a turbopuffer datetime holds"
                                + " (Postgres's infinity is read as the largest or smallest date); a string hint keeps it as text");
            }
            return v; // the common case: no text form needed
        }
        return hinted(hintType, "datetime", v, v.toString());
    }

    /** The first instant an ISO 8601 datetime with a four-digit year writes: 0000-01-01T00:00:00Z. */
    private static final Instant FIRST_DATETIME = Instant.parse("0000-01-01T00:00:00Z");

    /** The first instant past year 9999. */
    private static final Instant PAST_LAST_DATETIME = Instant.parse("+10000-01-01T00:00:00Z");

    /** {@code natural} when the hint is absent or names the natural type, {@code asString} for a string hint. */
    private static Object hinted(String hintType, String naturalType, Object natural, String asString) {
        if (hintType == null || hintType.equals(naturalType)) {
            return natural;
        }
        if (hintType.equals("string") && asString != null) {
            return asString;
        }
        throw mismatch(hintType);
    }

    private static float[] vector(Object value, String hintType) {
        float[] v;
        if (value instanceof float[] f) {
            v = f;
        } else if (value instanceof List<?> list) {
            v = new float[list.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = ((Number) list.get(i)).floatValue();
            }
        } else {
            throw new IllegalArgumentException("expected a vector, got " + DocIds.show(value));
        }
        if (hintType != null) {
            Matcher m = VECTOR_TYPE.matcher(hintType);
            if (!m.matches()) {
                throw mismatch(hintType);
            }
            int dims = Integer.parseInt(m.group(1));
            if (dims != v.length) {
                throw new IllegalArgumentException(
                        "vector has " + v.length + " dimensions but the hint says " + hintType);
            }
        }
        return v;
    }

    private static Optional<String> flatten(Map<String, Object> into, String column, PgType type, Object value) {
        if (type.category() != PgType.Category.JSON || type.array()) {
            return Optional.of("column \"" + column + "\" (" + type + "): flatten needs a json or jsonb column");
        }
        if (value == null) {
            return Optional.empty();
        }
        JsonNode node;
        try {
            node = JSON.readTree(value.toString());
        } catch (JsonProcessingException e) {
            return Optional.of("column \"" + column + "\" (" + type + "): not valid JSON: " + e.getOriginalMessage());
        }
        if (!node.isObject()) {
            return Optional.of("column \"" + column + "\" (" + type + "): flatten needs a JSON object (got "
                    + node.getNodeType().name().toLowerCase() + ")");
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = column + "." + field.getKey();
            Optional<String> bad = AttributeNames.problem(name);
            if (bad.isPresent()) {
                return Optional.of("column \"" + column + "\": " + bad.get());
            }
            into.put(name, jsonValue(field.getValue()));
        }
        return Optional.empty();
    }

    /** A flattened JSON value: scalars typed, arrays of one scalar type as arrays, anything else as JSON text. */
    private static Object jsonValue(JsonNode n) {
        if (n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return n.longValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isArray()) {
            List<Object> items = new ArrayList<>();
            Class<?> kind = null;
            for (JsonNode item : n) {
                Object v = item.isContainerNode() || item.isNull() ? null : jsonValue(item);
                if (v == null || (kind != null && kind != v.getClass())) {
                    return n.toString();
                }
                kind = v.getClass();
                items.add(v);
            }
            return items;
        }
        return n.toString();
    }

    private static IllegalArgumentException mismatch(String hintType) {
        return new IllegalArgumentException("the tp_schema hint type " + hintType + " does not fit this column");
    }
}
