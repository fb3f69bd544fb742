package io.puffgres.pgtext;

import io.puffgres.event.PgType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses Postgres's array text form ({@code {x,"y z",NULL,"q\""}}, nested braces for more dimensions, an optional
 * {@code [1:2]=} bounds prefix) into a {@link List} of element values converted as {@link PgText#scalar}
 * does; an unquoted {@code NULL} is {@code null}, a nested array a nested list. Stateless.
 */
final class PgArrays {

    private PgArrays() {}

    static List<Object> parse(String s, PgType element) {
        int start = 0;
        if (s.startsWith("[")) {
            start = s.indexOf('=') + 1; // bounds decoration: the elements follow the '='
        }
        Cursor c = new Cursor(s, start, element);
        return c.array();
    }

    private static final class Cursor {
        private final String s;
        private final PgType element;
        private final char delimiter;
        private int i;

        Cursor(String s, int i, PgType element) {
            this.s = s;
            this.i = i;
            this.element = element;
            this.delimiter = element.name().equals("box") ? ';' : ','; // box's text form holds commas
        }

        List<Object> array() {
            expect('{');
            List<Object> items = new ArrayList<>();
            skipSpace();
            if (s.charAt(i) == '}') {
                i++;
                return items;
            }
            while (true) {
                skipSpace();
                char c = s.charAt(i);
                if (c == '{') {
                    items.add(array());
                } else if (c == '"') {
                    items.add(element(quoted()));
                } else {
                    String raw = unquoted();
                    items.add(raw.equalsIgnoreCase("NULL") ? null : element(raw));
                }
                skipSpace();
                char next = s.charAt(i++);
                if (next == '}') {
                    return items;
                }
                if (next != delimiter) {
                    throw new IllegalArgumentException("not an array: " + s);
                }
            }
        }

        private Object element(String text) {
            Object v = PgText.scalar(text, element);
            if (v instanceof BigDecimal d && d.scale() > 0) {
                // as the stream gives a numeric array's elements: without trailing fraction zeros (1.50 is 1.5)
                BigDecimal stripped = d.stripTrailingZeros();
                return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
            }
            return v;
        }

        private String quoted() {
            i++; // the opening quote
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c == '\\') {
                    c = s.charAt(i++);
                }
                b.append(c);
            }
        }

        private String unquoted() {
            int from = i;
            while (true) {
                char c = s.charAt(i);
                if (c == delimiter || c == '}') {
                    return s.substring(from, i).strip();
                }
                i++;
            }
        }

        private void expect(char c) {
            skipSpace();
            if (i >= s.length() || s.charAt(i) != c) {
                throw new IllegalArgumentException("not an array: " + s);
            }
            i++;
        }

        private void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }
}
