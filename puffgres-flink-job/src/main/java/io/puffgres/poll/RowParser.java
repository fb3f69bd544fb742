package io.puffgres.poll;

import static io.puffgres.poll.Wal2JsonDecoder.firstLine;
import static io.puffgres.poll.Wal2JsonDecoder.problem;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.puffgres.event.PgType;
import io.puffgres.event.Row;
import io.puffgres.pgtext.PgText;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Reads the {@code columns} or {@code identity} array of a change into reusable buffers. */
final class RowParser {

    private final Image columns = new Image();
    private final Image identity = new Image();

    /** One row image as read: names, types and converted values in wal2json's order (the table's). */
    static final class Image {
        private String[] names = new String[16];
        private PgType[] types = new PgType[16];
        private Object[] values = new Object[16];
        private int size;
        private boolean unknown;

        int size() {
            return size;
        }

        String name(int i) {
            return names[i];
        }

        PgType type(int i) {
            return types[i];
        }

        Object value(int i) {
            return values[i];
        }

        void add(String name, PgType type, Object value) {
            if (size == names.length) {
                names = Arrays.copyOf(names, size * 2);
                types = Arrays.copyOf(types, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            names[size] = name;
            types[size] = type;
            values[size] = value;
            size++;
        }

        Row row(Row.Builder builder) {
            for (int i = 0; i < size; i++) {
                builder.put(names[i], types[i], values[i]);
            }
            return builder.build();
        }

        /** Whether each of these columns has the same value in {@code other}. */
        boolean sameValuesIn(Image other) {
            int from = 0;
            for (int i = 0; i < size; i++) {
                int at = other.indexOf(names[i], from);
                if (at < 0 || !Objects.deepEquals(values[i], other.values[at])) {
                    return false;
                }
                from = at + 1;
            }
            return true;
        }

        int indexOf(String name, int from) {
            for (int i = from; i < size; i++) {
                if (names[i].equals(name)) {
                    return i;
                }
            }
            for (int i = 0; i < from && i < size; i++) {
                if (names[i].equals(name)) {
                    return i;
                }
            }
            return -1;
        }

        /** Whether a column was not among the table's known columns. */
        boolean unknown() {
            return unknown;
        }
    }

    /**
     * Reads one array of columns. A column is found among the table's {@code columns} by position (wal2json prints
     * them in table order) or else by name: a generated one is left out, a domain's value is read as (and typed as)
     * its base type, one not found is read by the type wal2json names and marks the image {@link Image#unknown()}.
     */
    Image read(JsonParser p, boolean newColumns, List<TableColumns.Column> columns, long lsn, String data)
            throws IOException {
        Image image = newColumns ? this.columns : identity;
        Arrays.fill(image.values, 0, image.size, null);
        image.size = 0;
        image.unknown = false;
        int position = 0;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
            String name = null;
            PgType type = null;
            TableColumns.Column column = null;
            PgType valueType = null;
            Object value = null;
            boolean hasValue = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "name" -> {
                        name = p.getText();
                        int at = find(columns, name, position);
                        if (at >= 0) {
                            column = columns.get(at);
                            position = at + 1;
                        } else {
                            image.unknown = true;
                        }
                    }
                    case "type" -> type = PgType.of(p.getText());
                    case "value" -> {
                        if (name == null || type == null) {
                            throw problem(
                                    lsn,
                                    "has a column value before its \"name\" and \"type\"" + " (option include-types)",
                                    data);
                        }
                        boolean same = column != null && column.type().equals(type);
                        if (!same && column != null) {
                            image.unknown = true; // altered since read: the catalog's type is not the change's
                        }
                        valueType = same ? column.valueType() : type;
                        value = value(p, v, valueType, name, lsn, data);
                        hasValue = true;
                    }
                    default -> p.skipChildren();
                }
            }
            if (!hasValue) {
                throw problem(lsn, "has a column without \"value\"", data);
            }
            if (column == null || !column.generated()) {
                image.add(name, valueType, value); // a domain's as its base type's, as lookups read it
            }
        }
        if (t != JsonToken.END_ARRAY) {
            throw problem(lsn, "has an array of columns that holds something other than objects", data);
        }
        return image;
    }

    /** Where {@code name} is among {@code columns}, looked for from {@code from} on first; -1 when it is not. */
    private static int find(List<TableColumns.Column> columns, String name, int from) {
        int n = columns.size();
        for (int i = from; i < n; i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        for (int i = 0; i < from && i < n; i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static Object value(JsonParser p, JsonToken v, PgType type, String name, long lsn, String data)
            throws IOException {
        try {
            return switch (v) {
                case VALUE_NULL -> null;
                case VALUE_TRUE -> Boolean.TRUE;
                case VALUE_FALSE -> Boolean.FALSE;
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> PgText.number(p.getText(), type);
                case VALUE_STRING -> PgText.text(p.getText(), type);
                default -> throw problem(lsn, "has column " + name + " whose value is not a JSON scalar", data);
            };
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            throw problem(
                    lsn,
                    "has column " + name + " whose value is not a " + type + " (" + firstLine(e.getMessage()) + ")",
                    data);
        }
    }
}
