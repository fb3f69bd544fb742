package io.puffgres.verify;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Compares an attribute of a transformed document (Java values, see {@link io.puffgres.document.Document}) with the
 * value turbopuffer returns (decoded JSON), the way turbopuffer stores them: datetimes as milliseconds since the
 * epoch, UUIDs case-insensitively, {@code [N]f32} vectors as 32-bit floats ({@code f16} rounded to half precision),
 * floats as 64-bit doubles, integers by value. Each side is brought to a canonical form; equal forms are equal values.
 */
final class WireValues {

    private static final Pattern VECTOR = Pattern.compile("\\[\\d+\\]f(32|16)");
    /** Longest value text in a difference line; vectors and long texts are cut. */
    static final int MAX_SHOWN = 60;

    private WireValues() {}

    /**
     * Whether {@code expected} and {@code actual} are the same stored value.
     *
     * @param type the attribute's type in the namespace schema, or null to infer it from {@code expected}
     */
    static boolean same(Object expected, Object actual, String type) {
        String t = type != null ? type : inferType(expected);
        return Objects.equals(canonical(expected, t), canonical(actual, t));
    }

    /** The schema type a Java document value is written as (what the sink declares or turbopuffer infers). */
    static String inferType(Object v) {
        if (v instanceof Instant) {
            return "datetime";
        }
        if (v instanceof UUID) {
            return "uuid";
        }
        if (v instanceof float[] f) {
            return "[" + f.length + "]f32";
        }
        if (v instanceof Double || v instanceof Float) {
            return "float";
        }
        if (v instanceof List<?> list && !list.isEmpty() && inferType(list.get(0)) != null) {
            return "[]" + inferType(list.get(0));
        }
        return null;
    }

    private static Object canonical(Object v, String type) {
        if (v == null) {
            return null;
        }
        if (type != null && VECTOR.matcher(type).matches()) {
            return vector(v, type.endsWith("f16"));
        }
        if (v instanceof List<?> list) {
            String element = type != null && type.startsWith("[]") ? type.substring(2) : null;
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(e -> out.add(canonical(e, element)));
            return out;
        }
        if (v instanceof float[] f) {
            return vector(v, false);
        }
        if ("datetime".equals(type)) {
            return millis(v);
        }
        if ("uuid".equals(type) || v instanceof UUID) {
            return v.toString().toLowerCase(Locale.ROOT);
        }
        if (v instanceof Number n) {
            // an int attribute may come from a JS number (a Double): compare integers by value, floats as f64
            return "float".equals(type) ? (Object) n.doubleValue() : new BigDecimal(n.toString()).stripTrailingZeros();
        }
        return v;
    }

    private static Object millis(Object v) {
        if (v instanceof Instant i) {
            return Math.floorDiv(i.getEpochSecond() * 1_000_000_000L + i.getNano(), 1_000_000L);
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        String s = v.toString();
        try {
            return OffsetDateTime.parse(s).toInstant().toEpochMilli();
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
                    return s; // not a datetime: compared as text
                }
            }
        }
    }

    private static Object vector(Object v, boolean half) {
        List<Float> out = new ArrayList<>();
        if (v instanceof float[] f) {
            for (float x : f) {
                out.add(half ? half(x) : x);
            }
        } else if (v instanceof List<?> list) {
            for (Object x : list) {
                if (!(x instanceof Number n)) {
                    return v;
                }
                out.add(half ? half(n.floatValue()) : n.floatValue());
            }
        } else {
            return v; // base64 or something else: compared as it is
        }
        return out;
    }

    /** {@code x} rounded to the 11 significant bits of an IEEE half-precision float. */
    private static float half(float x) {
        if (x == 0 || !Float.isFinite(x)) {
            return x;
        }
        int shift = Math.getExponent(x) - 10;
        return (float) (Math.rint(Math.scalb((double) x, -shift)) * Math.scalb(1.0, shift));
    }

    /** A value for a difference line: JSON-like, cut at {@link #MAX_SHOWN} characters; {@code (absent)} for null. */
    static String show(Object v) {
        String s;
        if (v == null) {
            return "(absent)";
        } else if (v instanceof String str) {
            s = "\"" + str + "\"";
        } else if (v instanceof float[] f) {
            List<Float> list = new ArrayList<>();
            for (float x : f) {
                list.add(x);
            }
            s = list.toString();
        } else if (v instanceof Map<?, ?> || v instanceof List<?>) {
            s = v.toString();
        } else {
            s = String.valueOf(v);
        }
        return s.length() > MAX_SHOWN ? s.substring(0, MAX_SHOWN - 3) + "..." : s;
    }
}
