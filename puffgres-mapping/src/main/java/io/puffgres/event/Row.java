package io.puffgres.event;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * One row image: column values and the Postgres type of each column, in column order.
 *
 * <p>Values are plain Java objects, the same for every source (CDC, poll, backfill):
 * integers ({@code int2/int4/int8/oid}) → {@link Long}; {@code numeric} → {@link java.math.BigDecimal};
 * {@code float4/float8} → {@link Double}; {@code bool} → {@link Boolean}; text types → {@link String};
 * {@code uuid} → {@link java.util.UUID}; {@code timestamp} → {@link java.time.LocalDateTime};
 * {@code timestamptz} → {@link java.time.Instant}; {@code date} → {@link java.time.LocalDate};
 * {@code time} → {@link java.time.LocalTime}; {@code json/jsonb} → {@link String} holding the JSON text;
 * {@code bytea} → {@code byte[]}; pgvector {@code vector} → {@code float[]}; arrays → {@link java.util.List}
 * of element values; SQL NULL → {@code null}; other types → their text form as {@link String}; a value the change
 * did not carry (unchanged TOAST) → {@link Unavailable#VALUE}, until the lookup stage reads it.
 *
 * <p>Immutable. A column absent from the row is not the same as a column whose value is NULL.
 *
 * <p>Stored as the row's values in column order plus the column names and types that the rows of one
 * shape share (a table's changes come in a handful of shapes): building and reading a row costs no hash map of its
 * own, and a shape's maps stay in the CPU cache.
 */
public final class Row {

    private final Columns columns;
    private final Object[] values;

    private Row(Columns columns, Object[] values) {
        this.columns = columns;
        this.values = values;
    }

    /** Starts a row; columns keep the order in which they are added. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether the row has {@code column} (possibly NULL). */
    public boolean has(String column) {
        return columns.index.containsKey(column);
    }

    /** The value of {@code column}, {@code null} for SQL NULL or a missing column. */
    public Object get(String column) {
        Integer i = columns.index.get(column);
        return i == null ? null : values[i];
    }

    /** Whether the change did not carry the value of {@code column} ({@link Unavailable}). */
    public boolean isUnavailable(String column) {
        return Unavailable.is(get(column));
    }

    /** Whether the change did not carry some value of the row ({@link Unavailable}). */
    public boolean hasUnavailable() {
        for (Object v : values) {
            if (Unavailable.is(v)) {
                return true;
            }
        }
        return false;
    }

    /** The type of {@code column}, or {@code null} if the row has no such column. */
    public PgType type(String column) {
        return columns.types.get(column);
    }

    /** This row with only the columns in {@code keep}, in row order; the row itself when it has no other column. */
    public Row only(Set<String> keep) {
        String[] names = columns.names;
        int kept = 0;
        for (String name : names) {
            if (keep.contains(name)) {
                kept++;
            }
        }
        if (kept == names.length) {
            return this;
        }
        Builder projected = new Builder();
        for (int i = 0; i < names.length; i++) {
            if (keep.contains(names[i])) {
                projected.put(names[i], columns.typeArray[i], values[i]);
            }
        }
        return projected.build();
    }

    /** Column names in order. */
    public Set<String> columns() {
        return columns.types.keySet();
    }

    /** Column values in order; NULLs are {@code null} values. An unmodifiable view. */
    public Map<String, Object> values() {
        return new AbstractMap<>() {
            @Override
            public Set<Map.Entry<String, Object>> entrySet() {
                return new AbstractSet<>() {
                    @Override
                    public Iterator<Map.Entry<String, Object>> iterator() {
                        return new Iterator<>() {
                            private int next;

                            @Override
                            public boolean hasNext() {
                                return next < values.length;
                            }

                            @Override
                            public Map.Entry<String, Object> next() {
                                if (next == values.length) {
                                    throw new NoSuchElementException();
                                }
                                int i = next++;
                                return new AbstractMap.SimpleImmutableEntry<>(columns.names[i], values[i]);
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return values.length;
                    }
                };
            }

            @Override
            public Object get(Object column) {
                return column instanceof String c ? Row.this.get(c) : null;
            }

            @Override
            public boolean containsKey(Object column) {
                return column instanceof String c && has(c);
            }

            @Override
            public Collection<Object> values() {
                return Collections.unmodifiableList(Arrays.asList(values));
            }
        };
    }

    /** Column types in order. Unmodifiable; rows of one shape return the same map. */
    public Map<String, PgType> types() {
        return columns.types;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Row other) || !columns.types.equals(other.columns.types)) {
            return false;
        }
        for (int i = 0; i < values.length; i++) {
            if (!Objects.deepEquals(values[i], other.get(columns.names[i]))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return columns.types.hashCode();
    }

    @Override
    public String toString() {
        return values().toString();
    }

    /** The column names and types of a shape of row, each name once. Immutable. */
    private static final class Columns {

        /** The shapes of the rows last built on this thread, newest first: rows of a few tables interleave. */
        private static final ThreadLocal<Columns[]> RECENT = ThreadLocal.withInitial(() -> new Columns[4]);

        final String[] names;
        final PgType[] typeArray;
        final Map<String, PgType> types;
        final Map<String, Integer> index;

        private Columns(String[] names, PgType[] typeArray) {
            this.names = names;
            this.typeArray = typeArray;
            Map<String, PgType> types = new LinkedHashMap<>();
            Map<String, Integer> index = new HashMap<>();
            for (int i = 0; i < names.length; i++) {
                types.put(names[i], typeArray[i]);
                index.put(names[i], i);
            }
            this.types = Collections.unmodifiableMap(types);
            this.index = index;
        }

        /** A recent shape of the first {@code n} names and types, or null. */
        static Columns recent(String[] names, PgType[] types, int n) {
            Columns[] recent = RECENT.get();
            for (int i = 0; i < recent.length && recent[i] != null; i++) {
                if (recent[i].is(names, types, n)) {
                    return recent[i];
                }
            }
            return null;
        }

        /** A new shape of the first {@code n} names and types, which are distinct; it becomes the newest recent one. */
        static Columns create(String[] names, PgType[] types, int n) {
            Columns shape = new Columns(Arrays.copyOf(names, n), Arrays.copyOf(types, n));
            Columns[] recent = RECENT.get();
            System.arraycopy(recent, 0, recent, 1, recent.length - 1);
            recent[0] = shape;
            return shape;
        }

        private boolean is(String[] otherNames, PgType[] otherTypes, int n) {
            if (n != names.length) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (!names[i].equals(otherNames[i]) || !typeArray[i].equals(otherTypes[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Builds a {@link Row}. Not thread-safe. */
    public static final class Builder {
        private String[] names = new String[8];
        private PgType[] types = new PgType[8];
        private Object[] values = new Object[8];
        private int size;

        /** Adds {@code column}; a column put again keeps its place and takes the new type and value. */
        public Builder put(String column, PgType type, Object value) {
            Objects.requireNonNull(column, "column");
            Objects.requireNonNull(type, "type");
            if (size == names.length) {
                names = Arrays.copyOf(names, size * 2);
                types = Arrays.copyOf(types, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            names[size] = column;
            types[size] = type;
            values[size] = value;
            size++;
            return this;
        }

        public Builder put(String column, String type, Object value) {
            return put(column, PgType.of(type), value);
        }

        /** The row of the columns put so far; the builder starts empty again. */
        public Row build() {
            int put = size;
            int n = size;
            size = 0;
            Columns shape = Columns.recent(names, types, n);
            if (shape == null) {
                n = withoutRepeats(n);
                shape = Columns.create(names, types, n);
            }
            Row row = new Row(shape, Arrays.copyOf(values, n));
            Arrays.fill(values, 0, put, null); // the builder keeps no value of a built row
            return row;
        }

        /** Folds a column put again into its first place, with the later type and value; the new count. */
        private int withoutRepeats(int n) {
            Map<String, Integer> at = new HashMap<>();
            int kept = 0;
            for (int i = 0; i < n; i++) {
                Integer first = at.putIfAbsent(names[i], kept);
                int to = first == null ? kept++ : first;
                names[to] = names[i];
                types[to] = types[i];
                values[to] = values[i];
            }
            return kept;
        }
    }
}
