package io.puffgres.event;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;

/**
 * Parses ISO-8601 datetimes on the hot path. The form Debezium and puffgres write for every timestamptz,
 * {@code yyyy-MM-ddTHH:mm:ss[.f…]Z} (UTC, up to nine fraction digits), is read by hand, several times faster than
 * {@link OffsetDateTime#parse}; anything else (offsets, other years) goes to {@link OffsetDateTime#parse}.
 */
public final class UtcInstants {

    private static final int DATE_TIME_LENGTH = "2024-05-01T12:00:00".length();

    private UtcInstants() {}

    /**
     * The instant of an ISO-8601 datetime with offset.
     *
     * @throws java.time.format.DateTimeParseException when it is none
     */
    public static Instant parse(String s) {
        Instant fast = parseUtc(s);
        return fast != null ? fast : OffsetDateTime.parse(s).toInstant();
    }

    /** The fast path; null when {@code s} is not exactly {@code yyyy-MM-ddTHH:mm:ss[.f…]Z} with valid fields. */
    static Instant parseUtc(String s) {
        int n = s.length();
        if (n < DATE_TIME_LENGTH + 1
                || s.charAt(n - 1) != 'Z'
                || s.charAt(4) != '-'
                || s.charAt(7) != '-'
                || s.charAt(10) != 'T'
                || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 7);
        int day = digits(s, 8, 10);
        int hour = digits(s, 11, 13);
        int minute = digits(s, 14, 16);
        int second = digits(s, 17, 19);
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
            return null;
        }
        int nanos = 0;
        int end = n - 1;
        if (end > DATE_TIME_LENGTH) {
            int fractionDigits = end - DATE_TIME_LENGTH - 1;
            if (s.charAt(DATE_TIME_LENGTH) != '.' || fractionDigits < 1 || fractionDigits > 9) {
                return null;
            }
            int fraction = digits(s, DATE_TIME_LENGTH + 1, end);
            if (fraction < 0) {
                return null;
            }
            nanos = fraction;
            for (int i = fractionDigits; i < 9; i++) {
                nanos *= 10;
            }
        }
        if (day > LocalDate.of(year, month, 1).lengthOfMonth()) {
            return null;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600L + minute * 60L + second, nanos);
    }

    /** The number written by the ASCII digits {@code s[from, to)}, or -1 when one is not a digit. */
    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
