package io.puffgres.event;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * of element values; SQL NULL → {@code null}; other types → their text form as {@link String}.
 *
 * <p>Immutable. A column absent from the row is not the same as a column whose value is NULL.
 */
public final class Row {

    private final Map<String, PgType> types;
    private final Map<String, Object> values;

    private Row(Map<String, PgType> types, Map<String, Object> values) {
        this.types = types;
        this.values = values;
    }

    /** Starts a row; columns keep the order in which they are added. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether the row has {@code column} (possibly NULL). */
    public boolean has(String column) {
        return types.containsKey(column);
    }

    /** The value of {@code column}, {@code null} for SQL NULL or a missing column. */
    public Object get(String column) {
        return values.get(column);
    }

    /** The type of {@code column}, or {@code null} if the row has no such column. */
    public PgType type(String column) {
        return types.get(column);
    }

    /** Column names in order. */
    public Set<String> columns() {
        return types.keySet();
    }

    /** Column values in order; NULLs are {@code null} values. Unmodifiable. */
    public Map<String, Object> values() {
        return values;
    }

    /** Column types in order. Unmodifiable. */
    public Map<String, PgType> types() {
        return types;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Row other && types.equals(other.types) && deepEquals(values, other.values);
    }

    private static boolean deepEquals(Map<String, Object> a, Map<String, Object> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, Object> e : a.entrySet()) {
            if (!Objects.deepEquals(e.getValue(), b.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return types.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }

    /** Builds a {@link Row}. Not thread-safe. */
    public static final class Builder {
        private Map<String, PgType> types = new LinkedHashMap<>();
        private Map<String, Object> values = new LinkedHashMap<>();

        public Builder put(String column, PgType type, Object value) {
            types.put(Objects.requireNonNull(column, "column"), Objects.requireNonNull(type, "type"));
            values.put(column, value);
            return this;
        }

        public Builder put(String column, String type, Object value) {
            return put(column, PgType.of(type), value);
        }

        /** The row of the columns put so far; the builder starts empty again (the row keeps its maps, uncopied). */
        public Row build() {
            Row row = new Row(Collections.unmodifiableMap(types), Collections.unmodifiableMap(values));
            types = new LinkedHashMap<>();
            values = new LinkedHashMap<>();
            return row;
        }
    }
}
