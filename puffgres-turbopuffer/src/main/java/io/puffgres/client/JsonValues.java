package io.puffgres.client;

import com.fasterxml.jackson.core.JsonGenerator;
import io.puffgres.document.DocId;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Writes document values as turbopuffer JSON with Jackson's streaming generator. */
final class JsonValues {

    /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the instants {@link #iso} writes itself. */
    private static final long FIRST_FAST_SECOND = -62_167_219_200L;

    private static final long LAST_FAST_SECOND = 253_402_300_799L;

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
        } else if (v instanceof Instant t) {
            writeInstant(g, t);
        } else if (v instanceof UUID) {
            g.writeString(v.toString());
        } else if (v instanceof DocId.Uint u && u.value() >= 0) {
            g.writeNumber(u.value());
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

    /** {@code t} as {@link Instant#toString()} writes it, without the formatter's cost (a datetime per row). */
    static void writeInstant(JsonGenerator g, Instant t) throws IOException {
        long second = t.getEpochSecond();
        if (second < FIRST_FAST_SECOND || second > LAST_FAST_SECOND) {
            g.writeString(t.toString());
            return;
        }
        char[] c = new char[30];
        int n = iso(c, second, t.getNano());
        g.writeString(c, 0, n);
    }

    /**
     * Writes {@code yyyy-MM-ddTHH:mm:ss[.SSS[SSS[SSS]]]Z} into {@code c} (the fraction in groups of three digits, as
     * {@link java.time.format.DateTimeFormatter#ISO_INSTANT}) and returns its length.
     */
    static int iso(char[] c, long epochSecond, int nano) {
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(epochSecond, 86_400L));
        int secondOfDay = (int) Math.floorMod(epochSecond, 86_400L);
        int year = date.getYear();
        digits(c, 0, year / 100, 2);
        digits(c, 2, year % 100, 2);
        c[4] = '-';
        digits(c, 5, date.getMonthValue(), 2);
        c[7] = '-';
        digits(c, 8, date.getDayOfMonth(), 2);
        c[10] = 'T';
        digits(c, 11, secondOfDay / 3600, 2);
        c[13] = ':';
        digits(c, 14, secondOfDay / 60 % 60, 2);
        c[16] = ':';
        digits(c, 17, secondOfDay % 60, 2);
        int n = 19;
        if (nano > 0) {
            c[n++] = '.';
            if (nano % 1_000_000 == 0) {
                digits(c, n, nano / 1_000_000, 3);
                n += 3;
            } else if (nano % 1000 == 0) {
                digits(c, n, nano / 1000, 6);
                n += 6;
            } else {
                digits(c, n, nano, 9);
                n += 9;
            }
        }
        c[n++] = 'Z';
        return n;
    }

    /** {@code value} as {@code width} decimal digits, zero-padded, at {@code c[at]}. */
    private static void digits(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
