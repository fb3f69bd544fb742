package io.puffgres.membership;

import io.puffgres.event.PgType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a string literal as the input function of a PostgreSQL type would ({@code int4in}, {@code boolin},
 * {@code uuid_in}, ...), for the types the DSL compares. Date/time input accepts the ISO 8601 forms
 * ({@code 2024-05-01}, {@code 2024-05-01 12:30:00.123456+02:00}, {@code T} or space); a timestamptz literal
 * without an offset is read as UTC. Failures throw {@link IllegalArgumentException} with PostgreSQL's message.
 */
final class PgLiteralInput {

    private static final Pattern INTEGER = Pattern.compile("\\s*([+-]?\\d+)\\s*");
    private static final Pattern DECIMAL = Pattern.compile("\\s*([+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)\\s*");
    private static final Pattern SPECIAL =
            Pattern.compile("\\s*([+-]?)(nan|infinity|inf)\\s*", Pattern.CASE_INSENSITIVE);
    private static final Pattern DATE_TIME = Pattern.compile("\\s*(\\d{4})-(\\d{1,2})-(\\d{1,2})"
            + "(?:(?:[Tt]|\\s+)(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d+))?)?)?"
            + "\\s*(Z|z|UTC|utc|[+-]\\d{1,2}(?::?\\d{2})?)?\\s*");
    private static final Pattern UUID_HEX = Pattern.compile("[0-9a-fA-F]{32}");

    private static final BigInteger INT2_MIN = BigInteger.valueOf(Short.MIN_VALUE);
    private static final BigInteger INT2_MAX = BigInteger.valueOf(Short.MAX_VALUE);
    private static final BigInteger INT4_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
    private static final BigInteger INT4_MAX = BigInteger.valueOf(Integer.MAX_VALUE);
    private static final BigInteger INT8_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger INT8_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private PgLiteralInput() {}

    static long integer(String s, PgType type) {
        Matcher m = INTEGER.matcher(s);
        if (!m.matches()) {
            throw invalid(type, s);
        }
        BigInteger v = new BigInteger(m.group(1));
        BigInteger min = INT8_MIN;
        BigInteger max = INT8_MAX;
        if (type.name().equals("int2")) {
            min = INT2_MIN;
            max = INT2_MAX;
        } else if (type.name().equals("int4")) {
            min = INT4_MIN;
            max = INT4_MAX;
        }
        if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
            throw new IllegalArgumentException(
                    "value \"" + s + "\" is out of range for type " + PgTypeNames.display(type));
        }
        return v.longValue();
    }

    /** A numeric value: {@link BigDecimal}, or a {@link Double} for NaN and the infinities. */
    static Object numeric(String s, PgType type) {
        Matcher special = SPECIAL.matcher(s);
        return special.matches() ? (Object) specialDouble(special, type, s) : new BigDecimal(decimalText(s, type));
    }

    static double float8(String s, PgType type) {
        Matcher special = SPECIAL.matcher(s);
        if (special.matches()) {
            return specialDouble(special, type, s);
        }
        String text = decimalText(s, type);
        double d = Double.parseDouble(text);
        checkRange(Double.isInfinite(d) || (d == 0.0 && hasNonZeroDigit(text)), type, text);
        return d;
    }

    static float float4(String s, PgType type) {
        Matcher special = SPECIAL.matcher(s);
        if (special.matches()) {
            return (float) specialDouble(special, type, s);
        }
        // parsed straight to float: rounding via double could differ from PostgreSQL's strtof
        String text = decimalText(s, type);
        float f = Float.parseFloat(text);
        checkRange(Float.isInfinite(f) || (f == 0.0f && hasNonZeroDigit(text)), type, text);
        return f;
    }

    /** The number in {@code s} without surrounding spaces, or the type's invalid-input error. */
    private static String decimalText(String s, PgType type) {
        Matcher m = DECIMAL.matcher(s);
        if (!m.matches()) {
            throw invalid(type, s);
        }
        return m.group(1);
    }

    private static void checkRange(boolean outOfRange, PgType type, String text) {
        if (outOfRange) {
            throw outOfRange(type, text);
        }
    }

    static boolean bool(String s, PgType type) {
        String v = s.strip().toLowerCase(Locale.ROOT);
        if (!v.isEmpty()) {
            switch (v.charAt(0)) {
                case 't' -> {
                    if ("true".startsWith(v)) return true;
                }
                case 'y' -> {
                    if ("yes".startsWith(v)) return true;
                }
                case 'f' -> {
                    if ("false".startsWith(v)) return false;
                }
                case 'n' -> {
                    if ("no".startsWith(v)) return false;
                }
                case 'o' -> {
                    // PostgreSQL compares at least two characters: "o" alone is ambiguous
                    if (v.length() >= 2 && "on".startsWith(v)) return true;
                    if (v.length() >= 2 && "off".startsWith(v)) return false;
                }
                case '1' -> {
                    if (v.length() == 1) return true;
                }
                case '0' -> {
                    if (v.length() == 1) return false;
                }
                default -> {}
            }
        }
        throw invalid(type, s);
    }

    static UUID uuid(String s, PgType type) {
        String v = s;
        if (v.startsWith("{") && v.endsWith("}") && v.length() >= 2) {
            v = v.substring(1, v.length() - 1);
        }
        // uuid_in allows a hyphen after any group of four hex digits
        StringBuilder hex = new StringBuilder(32);
        int digitsSinceHyphen = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '-'
                    && hex.length() > 0
                    && hex.length() % 4 == 0
                    && digitsSinceHyphen > 0
                    && i + 1 < v.length()
                    && hex.length() < 32) {
                digitsSinceHyphen = 0;
                continue;
            }
            hex.append(c);
            digitsSinceHyphen++;
        }
        if (!UUID_HEX.matcher(hex).matches()) {
            throw invalid(type, s);
        }
        return new UUID(
                Long.parseUnsignedLong(hex.substring(0, 16), 16), Long.parseUnsignedLong(hex.substring(16), 16));
    }

    static LocalDate date(String s, PgType type) {
        return dateTime(s, type).toLocalDate();
    }

    static LocalDateTime timestamp(String s, PgType type) {
        return dateTime(s, type);
    }

    static Instant timestamptz(String s, PgType type) {
        Matcher m = match(s, type);
        LocalDateTime local = toLocal(m, s, type);
        String zone = m.group(8);
        ZoneOffset offset = ZoneOffset.UTC;
        if (zone != null && !zone.equalsIgnoreCase("z") && !zone.equalsIgnoreCase("utc")) {
            offset = parseOffset(zone, s, type);
        }
        return local.toInstant(offset);
    }

    private static LocalDateTime dateTime(String s, PgType type) {
        // PostgreSQL ignores a zone given to timestamp/date input
        return toLocal(match(s, type), s, type);
    }

    private static Matcher match(String s, PgType type) {
        Matcher m = DATE_TIME.matcher(s);
        if (!m.matches()) {
            throw invalid(type, s);
        }
        return m;
    }

    private static LocalDateTime toLocal(Matcher m, String s, PgType type) {
        try {
            LocalDate date = LocalDate.of(
                    Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
            if (m.group(4) == null) {
                return date.atStartOfDay();
            }
            int hour = Integer.parseInt(m.group(4));
            int minute = Integer.parseInt(m.group(5));
            int second = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
            long micros = 0;
            if (m.group(7) != null) {
                micros = new BigDecimal("0." + m.group(7))
                        .setScale(6, RoundingMode.HALF_UP)
                        .movePointRight(6)
                        .longValueExact();
            }
            if (hour == 24 && minute == 0 && second == 0 && micros == 0) {
                return date.plusDays(1).atStartOfDay();
            }
            return LocalDateTime.of(date, LocalTime.of(hour, minute, second)).plusNanos(micros * 1000);
        } catch (DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("date/time field value out of range: \"" + s + "\"");
        }
    }

    private static ZoneOffset parseOffset(String zone, String s, PgType type) {
        String digits = zone.substring(1).replace(":", "");
        int hours;
        int minutes = 0;
        if (digits.length() <= 2) {
            hours = Integer.parseInt(digits);
        } else {
            hours = Integer.parseInt(digits.substring(0, digits.length() - 2));
            minutes = Integer.parseInt(digits.substring(digits.length() - 2));
        }
        int sign = zone.charAt(0) == '-' ? -1 : 1;
        try {
            return ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
        } catch (DateTimeException e) {
            throw invalid(type, s);
        }
    }

    private static double specialDouble(Matcher special, PgType type, String s) {
        String word = special.group(2).toLowerCase(Locale.ROOT);
        boolean negative = special.group(1).equals("-");
        if (word.equals("nan")) {
            if (!special.group(1).isEmpty()) {
                throw invalid(type, s);
            }
            return Double.NaN;
        }
        return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    private static boolean hasNonZeroDigit(String number) {
        int exp = number.toLowerCase(Locale.ROOT).indexOf('e');
        String mantissa = exp >= 0 ? number.substring(0, exp) : number;
        return mantissa.chars().anyMatch(c -> c >= '1' && c <= '9');
    }

    private static IllegalArgumentException invalid(PgType type, String s) {
        return new IllegalArgumentException(
                "invalid input syntax for type " + PgTypeNames.display(type) + ": \"" + s + "\"");
    }

    private static IllegalArgumentException outOfRange(PgType type, String s) {
        return new IllegalArgumentException("\"" + s + "\" is out of range for type " + PgTypeNames.display(type));
    }
}
