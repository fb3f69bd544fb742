package io.puffgres.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.puffgres.event.UtcInstants;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/** Helpers for turbopuffer's JSON values: ids, datetimes, vectors, ordering. */
final class Values {

    static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Pattern VECTOR = Pattern.compile("\\[(\\d+)\\]f(32|16)");

    private Values() {}

    /**
     * The map key of document id {@code id}: Long for u64 ids, canonical lower-case text for UUIDs, the text for
     * string ids.
     *
     * @param path where the id sits in the request, with {@code [index]} appended when {@code index >= 0} (built
     *     only for an error message)
     */
    static Object idKey(JsonNode id, String idType, String path, int index) {
        if (id == null || id.isNull()) {
            throw TpufError.unprocessable(indexed(path, index), "missing field `id`");
        }
        if (id.isIntegralNumber() && id.canConvertToLong() && id.longValue() >= 0) {
            if ("uuid".equals(idType) || "string".equals(idType)) {
                throw TpufError.badRequest("💔 id " + id + " does not match the namespace's id type " + idType);
            }
            return id.longValue();
        }
        if (id.isTextual()) {
            String s = id.textValue();
            if ("uuid".equals(idType)) {
                try {
                    return UUID.fromString(s).toString();
                } catch (IllegalArgumentException e) {
                    throw TpufError.badRequest("💔 invalid uuid id \"" + s + "\"");
                }
            }
            if ("uint".equals(idType)) {
                throw TpufError.badRequest("💔 id \"" + s + "\" does not match the namespace's id type uint");
            }
            if (s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 64) {
                throw TpufError.badRequest("💔 id \"" + s + "\" is longer than 64 bytes");
            }
            return s;
        }
        throw TpufError.unprocessable(indexed(path, index), "data did not match any variant of untagged enum Id");
    }

    private static String indexed(String path, int index) {
        return index < 0 ? path : path + "[" + index + "]";
    }

    /** The JSON form of an id key. */
    static JsonNode idNode(Object key) {
        return key instanceof Long l ? JSON.numberNode(l) : JSON.textNode((String) key);
    }

    /** The type turbopuffer infers for a value, or null for null / an empty array. */
    static String inferType(String attribute, JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return "string";
        }
        if (v.isBoolean()) {
            return "bool";
        }
        if (v.isIntegralNumber()) {
            return "int";
        }
        if (v.isNumber()) {
            return "float";
        }
        if (v.isArray()) {
            if (v.isEmpty()) {
                return null;
            }
            if (attribute.equals("vector") && v.get(0).isNumber()) {
                return "[" + v.size() + "]f32";
            }
            String element = inferType(attribute + "[]", v.get(0));
            return element == null ? null : "[]" + element;
        }
        return null;
    }

    /** Vector dimensions of a type such as {@code [768]f32}, or -1. */
    static int vectorDims(String type) {
        if (type.length() < 2 || type.charAt(0) != '[' || type.charAt(1) == ']') {
            return -1; // the common case, without a regex on the write path
        }
        var m = VECTOR.matcher(type);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** A vector value as floats: a number array, or base64 of little-endian f32. */
    static float[] vector(JsonNode v, String attribute) {
        if (v.isTextual()) {
            byte[] bytes = Base64.getDecoder().decode(v.textValue());
            float[] out = new float[bytes.length / 4];
            ByteBuffer.wrap(bytes)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer()
                    .get(out);
            return out;
        }
        if (!v.isArray()) {
            throw TpufError.badRequest("💔 vector attribute '" + attribute + "' must be an array of numbers or base64");
        }
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).isNumber()) {
                throw TpufError.badRequest("💔 vector attribute '" + attribute + "' must contain only numbers");
            }
            out[i] = v.get(i).floatValue();
        }
        return out;
    }

    /** Milliseconds since the epoch of an ISO-8601 datetime (date mandatory, time and zone optional). */
    static long datetimeMillis(String s) {
        try {
            return UtcInstants.parse(s).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
            } catch (DateTimeParseException e2) {
                try {
                    return LocalDate.parse(s)
                            .atStartOfDay()
                            .toInstant(ZoneOffset.UTC)
                            .toEpochMilli();
                } catch (DateTimeParseException e3) {
                    return Instant.parse(s).toEpochMilli();
                }
            }
        }
    }

    /** Whether {@code v} is a valid value of schema type {@code type} (null is valid for every attribute). */
    static boolean fits(String type, JsonNode v) {
        if (v == null || v.isNull()) {
            return true;
        }
        if (type.startsWith("[]")) {
            if (!v.isArray()) {
                return false;
            }
            for (JsonNode e : v) {
                if (e.isNull() || !fits(type.substring(2), e)) {
                    return false;
                }
            }
            return true;
        }
        if (vectorDims(type) >= 0) {
            return v.isTextual() || (v.isArray() && v.size() == vectorDims(type));
        }
        return switch (type) {
            case "string" -> v.isTextual();
            case "int" -> v.isIntegralNumber() && v.canConvertToLong();
            case "uint" ->
                v.isIntegralNumber()
                        && (v.canConvertToLong()
                                ? v.longValue() >= 0
                                : v.bigIntegerValue().signum() >= 0);
            case "float" -> v.isNumber();
            case "bool" -> v.isBoolean();
            case "uuid" -> v.isTextual() && isUuid(v.textValue());
            case "datetime" -> v.isTextual() && isDatetime(v.textValue());
            default -> true;
        };
    }

    private static boolean isUuid(String s) {
        try {
            UUID.fromString(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isDatetime(String s) {
        try {
            datetimeMillis(s);
            return true;
        } catch (DateTimeParseException | ArithmeticException e) {
            return false; // not ISO 8601, or beyond what milliseconds since the epoch in 64 bits hold
        }
    }

    /** A short description of a value's JSON type for messages. */
    static String kind(JsonNode v) {
        return v.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
