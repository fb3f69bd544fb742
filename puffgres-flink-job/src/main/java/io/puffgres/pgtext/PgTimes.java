package io.puffgres.pgtext;

import io.puffgres.event.UtcInstants;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;

/**
 * Parses Postgres's ISO date/time text forms ({@code DateStyle=ISO}) as wal2json prints them: {@code 2024-05-01},
 * {@code 2024-05-01 10:15:30.123456}, with an offset {@code +02}, {@code -03:30} or {@code +00:09:21}, a year past
 * 9999, {@code BC}, and {@code infinity}/{@code -infinity}. By hand: these are on the hot path. Stateless.
 */
public final class PgTimes {

    /** Debezium's stand-in for {@code infinity}: pgjdbc's {@code DATE_POSITIVE_INFINITY} read as microseconds. */
    private static final long POSITIVE_INFINITY_MICROS = 9223372036825200000L;

    /** Debezium's stand-in for {@code -infinity}: pgjdbc's {@code DATE_NEGATIVE_INFINITY} read as microseconds. */
    private static final long NEGATIVE_INFINITY_MICROS = -9223372036832400000L;

    /**
     * Debezium's epoch day for a date {@code infinity}: pgjdbc's infinity overflows an int, landing in 5877611 BC
     * ({@code -infinity} the day after).
     */
    private static final long INFINITY_EPOCH_DAY = -2147472692L;

    /** Postgres's timestamptz {@code infinity}, as pgjdbc reads it ({@code OffsetDateTime.MAX}). */
    public static final Instant INFINITY = OffsetDateTime.MAX.toInstant();

    /** Postgres's timestamptz {@code -infinity}, as pgjdbc reads it ({@code OffsetDateTime.MIN}). */
    public static final Instant MINUS_INFINITY = OffsetDateTime.MIN.toInstant();

    private PgTimes() {}

    /**
     * Debezium's ZonedTimestamp text; it writes Postgres's {@code infinity} and {@code -infinity} as they are, which
     * become the instants a lookup reads for them.
     */
    public static Instant zonedTimestamp(String v) {
        return switch (v) {
            case "infinity" -> INFINITY;
            case "-infinity" -> MINUS_INFINITY;
            default -> UtcInstants.parse(v);
        };
    }

    /**
     * A date as Debezium gives it in a change (days since 1970), with its stand-ins for {@code infinity} and {@code
     * -infinity} read back as {@link LocalDate#MAX} and {@link LocalDate#MIN}, as pgjdbc reads them in a lookup.
     */
    public static LocalDate epochDay(long day) {
        if (day == INFINITY_EPOCH_DAY) {
            return LocalDate.MAX;
        }
        return day == INFINITY_EPOCH_DAY + 1 ? LocalDate.MIN : LocalDate.ofEpochDay(day);
    }

    /** A timestamp as Debezium's Timestamp (milliseconds, for {@code timestamp(0..3)}) gives it; see {@link #epochMicros}. */
    public static LocalDateTime epochMillis(long millis) {
        if (millis == POSITIVE_INFINITY_MICROS / 1000) {
            return LocalDateTime.MAX;
        }
        return millis == NEGATIVE_INFINITY_MICROS / 1000 ? LocalDateTime.MIN : micros(millis * 1000);
    }

    /**
     * A timestamp as Debezium's MicroTimestamp gives it, its stand-ins for {@code infinity} and {@code -infinity} read
     * back as {@link LocalDateTime#MAX} and {@link LocalDateTime#MIN}, as pgjdbc reads them in a lookup.
     */
    public static LocalDateTime epochMicros(long micros) {
        if (micros == POSITIVE_INFINITY_MICROS) {
            return LocalDateTime.MAX;
        }
        return micros == NEGATIVE_INFINITY_MICROS ? LocalDateTime.MIN : micros(micros);
    }

    static LocalDate date(String s) {
        if (s.equals("infinity")) {
            return LocalDate.MAX;
        }
        if (s.equals("-infinity")) {
            return LocalDate.MIN;
        }
        boolean bc = s.endsWith(" BC");
        return datePart(s, 0, bc ? s.length() - 3 : s.length(), bc);
    }

    static LocalDateTime timestamp(String s) {
        if (s.equals("infinity")) {
            return LocalDateTime.MAX;
        }
        if (s.equals("-infinity")) {
            return LocalDateTime.MIN;
        }
        boolean bc = s.endsWith(" BC");
        int end = bc ? s.length() - 3 : s.length();
        int space = s.indexOf(' ');
        return LocalDateTime.of(datePart(s, 0, space, bc), LocalTime.ofNanoOfDay(nanoOfDay(s, space + 1, end)));
    }

    public static Instant timestamptz(String s) {
        if (s.equals("infinity")) {
            return INFINITY;
        }
        if (s.equals("-infinity")) {
            return MINUS_INFINITY;
        }
        boolean bc = s.endsWith(" BC");
        int end = bc ? s.length() - 3 : s.length();
        int space = s.indexOf(' ');
        int sign = offsetStart(s, space + 1, end);
        LocalDate date = datePart(s, 0, space, bc);
        long nanos = nanoOfDay(s, space + 1, sign);
        long seconds = date.toEpochDay() * 86_400 + nanos / 1_000_000_000 - offsetSeconds(s, sign, end);
        return Instant.ofEpochSecond(seconds, nanos % 1_000_000_000);
    }

    static LocalTime time(String s) {
        return LocalTime.ofNanoOfDay(nanoOfDay(s, 0, s.length()));
    }

    static OffsetTime offsetTime(String s) {
        int sign = offsetStart(s, 0, s.length());
        return OffsetTime.of(
                LocalTime.ofNanoOfDay(nanoOfDay(s, 0, sign)),
                ZoneOffset.ofTotalSeconds(offsetSeconds(s, sign, s.length())));
    }

    private static LocalDateTime micros(long micros) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000), 0, ZoneOffset.UTC)
                .plusNanos(Math.floorMod(micros, 1_000_000) * 1000L);
    }

    /** {@code yyyy-MM-dd} in {@code s[from, to)}, the year of any length; {@code bc}: before Christ (year 1 BC = 0). */
    private static LocalDate datePart(String s, int from, int to, boolean bc) {
        int dash = s.indexOf('-', from + 1);
        int year = digits(s, from, dash);
        int month = digits(s, dash + 1, dash + 3);
        int day = digits(s, dash + 4, to);
        return LocalDate.of(bc ? 1 - year : year, month, day);
    }

    /** {@code HH:mm:ss[.ffffff]} in {@code s[from, to)} as nanoseconds of the day (24:00:00 is one day). */
    private static long nanoOfDay(String s, int from, int to) {
        long hours = digits(s, from, from + 2);
        long minutes = digits(s, from + 3, from + 5);
        long seconds = digits(s, from + 6, from + 8);
        long nanos = 0;
        if (to > from + 8) {
            if (s.charAt(from + 8) != '.') {
                throw new IllegalArgumentException("not a time: " + s);
            }
            int n = to - from - 9;
            nanos = digits(s, from + 9, to);
            for (int i = n; i < 9; i++) {
                nanos *= 10;
            }
        }
        return ((hours * 60 + minutes) * 60 + seconds) * 1_000_000_000L + nanos;
    }

    /** Where the offset ({@code +} or {@code -}) starts after the time that starts at {@code from}. */
    private static int offsetStart(String s, int from, int end) {
        for (int i = from + 8; i < end; i++) {
            char c = s.charAt(i);
            if (c == '+' || c == '-') {
                return i;
            }
        }
        throw new IllegalArgumentException("no UTC offset in " + s);
    }

    /** {@code ±HH[:MM[:SS]]} in {@code s[from, to)}. */
    private static int offsetSeconds(String s, int from, int to) {
        int total = digits(s, from + 1, from + 3) * 3600;
        if (to >= from + 6) {
            total += digits(s, from + 4, from + 6) * 60;
        }
        if (to >= from + 9) {
            total += digits(s, from + 7, from + 9);
        }
        return s.charAt(from) == '-' ? -total : total;
    }

    private static int digits(String s, int from, int to) {
        if (from >= to || to > s.length()) {
            throw new IllegalArgumentException("not a date/time: " + s);
        }
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("not a date/time: " + s);
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
