package io.puffgres.pgtext;

import io.debezium.time.Interval;
import io.puffgres.event.PgType;
import io.puffgres.event.PgVector;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.UUID;
import org.postgresql.util.PGInterval;

/**
 * Turns a column value as wal2json prints it (a JSON number, boolean or the type's Postgres text form) into {@link
 * io.puffgres.event.Row}'s representation, the same as {@link io.puffgres.source.ChangeEventDeserializer} gives for
 * the same change of the stream. Expects the session settings pgjdbc sets ({@code DateStyle=ISO}) and Postgres's
 * default {@code IntervalStyle=postgres}. Stateless.
 */
public final class PgText {

    private PgText() {}

    /** A JSON number ({@code text} as printed) of a column of {@code type}. */
    public static Object number(String text, PgType type) {
        return switch (type.category()) {
            case INTEGER -> Long.parseLong(text);
            case NUMERIC -> new BigDecimal(text);
            case FLOAT -> floating(text, type);
            default -> text;
        };
    }

    /** The Postgres text form {@code s} of a value of {@code type}, an array's included. */
    public static Object text(String s, PgType type) {
        if (type.array()) {
            return PgArrays.parse(s, new PgType(type.name(), false));
        }
        return scalar(s, type);
    }

    /** The text form of one non-array value. */
    public static Object scalar(String s, PgType type) {
        return switch (type.category()) {
            case INTEGER -> Long.parseLong(s);
            case NUMERIC -> numeric(s);
            case FLOAT -> floating(s, type);
            case BOOLEAN -> s.equals("t") || s.equals("true");
            case TEXT, JSON -> s;
            case UUID -> UUID.fromString(s);
            case TIMESTAMP -> PgTimes.timestamp(s);
            case TIMESTAMPTZ -> PgTimes.timestamptz(s);
            case DATE -> PgTimes.date(s);
            case TIME -> type.name().equals("timetz") ? utcTime(s) : PgTimes.time(s);
            case BYTEA -> bytea(s);
            case VECTOR -> PgVector.parse(s);
            case OTHER -> other(s, type);
        };
    }

    /**
     * A numeric's text; NaN and ±Infinity (which no BigDecimal holds) as the Double the writer refuses with a message
     * naming them (a change never carries them: Debezium and wal2json give NULL).
     */
    public static Object numeric(String s) {
        return switch (s) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> new BigDecimal(s);
        };
    }

    /** As the stream: a float4 is read as a float and widened (0.1 is 0.10000000149011612). */
    private static double floating(String s, PgType type) {
        return type.name().equals("float4") ? (double) Float.parseFloat(s) : Double.parseDouble(s);
    }

    /** wal2json prints bytea as bare hex; inside an array it is bytea's text form ({@code \x0102}). */
    private static byte[] bytea(String s) {
        return HexFormat.of().parseHex(s, s.startsWith("\\x") ? 2 : 0, s.length());
    }

    /** As Debezium's ZonedTime: the time of the instant in UTC, ISO 8601. */
    private static String utcTime(String s) {
        return PgTimes.offsetTime(s).withOffsetSameInstant(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_TIME);
    }

    private static Object other(String s, PgType type) {
        return switch (type.name()) {
            case "interval" -> isoInterval(s);
            case "money" -> money(s);
            default -> s;
        };
    }

    /**
     * As Debezium reads money ({@code decimal.handling.mode = precise}): the amount with two decimals. The text is
     * {@code lc_monetary}'s ({@code $1,234.56}, {@code -$1.50} in the C and English locales).
     */
    private static BigDecimal money(String s) {
        StringBuilder digits = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c >= '0' && c <= '9') || c == '.' || c == '-') {
                digits.append(c);
            }
        }
        boolean negative = s.indexOf('(') >= 0; // some locales write a negative amount in parentheses
        BigDecimal v = new BigDecimal(digits.toString()).setScale(2, RoundingMode.HALF_UP);
        return negative ? v.negate() : v;
    }

    /** As Debezium writes an interval in {@code interval.handling.mode = string} (see lookup's JdbcRows). */
    private static String isoInterval(String s) {
        PGInterval v;
        try {
            v = new PGInterval(s);
        } catch (SQLException e) {
            throw new IllegalArgumentException("not an interval: " + s, e);
        }
        return Interval.toIsoString(
                v.getYears(), v.getMonths(), v.getDays(), v.getHours(), v.getMinutes(), new BigDecimal(v.getSeconds()));
    }
}
