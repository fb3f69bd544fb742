package io.puffgres.event;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Postgres column type, normalised to the {@code pg_type.typname} of its element type (e.g. {@code int4},
 * {@code varchar}, {@code timestamptz}, {@code vector}) plus whether the column is an array.
 *
 * <p>{@link #of(String)} accepts the spellings Postgres prints ({@code integer}, {@code character varying(20)},
 * {@code timestamp with time zone}, {@code text[]}, {@code _int4}).
 */
public record PgType(String name, boolean array) {

    /** Families that decide value representation, DSL coercion and the turbopuffer type. */
    public enum Category {
        INTEGER,
        NUMERIC,
        FLOAT,
        BOOLEAN,
        TEXT,
        UUID,
        TIMESTAMP,
        TIMESTAMPTZ,
        DATE,
        TIME,
        JSON,
        BYTEA,
        VECTOR,
        OTHER
    }

    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("smallint", "int2"),
            Map.entry("integer", "int4"),
            Map.entry("int", "int4"),
            Map.entry("bigint", "int8"),
            Map.entry("smallserial", "int2"),
            Map.entry("serial", "int4"),
            Map.entry("bigserial", "int8"),
            Map.entry("decimal", "numeric"),
            Map.entry("real", "float4"),
            Map.entry("double precision", "float8"),
            Map.entry("boolean", "bool"),
            Map.entry("character varying", "varchar"),
            Map.entry("character", "bpchar"),
            Map.entry("char", "bpchar"),
            Map.entry("timestamp without time zone", "timestamp"),
            Map.entry("timestamp with time zone", "timestamptz"),
            Map.entry("time without time zone", "time"),
            Map.entry("time with time zone", "timetz"),
            Map.entry("bit varying", "varbit"));

    private static final Map<String, Category> CATEGORIES = Map.ofEntries(
            Map.entry("int2", Category.INTEGER),
            Map.entry("int4", Category.INTEGER),
            Map.entry("int8", Category.INTEGER),
            Map.entry("oid", Category.INTEGER),
            Map.entry("numeric", Category.NUMERIC),
            Map.entry("float4", Category.FLOAT),
            Map.entry("float8", Category.FLOAT),
            Map.entry("bool", Category.BOOLEAN),
            Map.entry("text", Category.TEXT),
            Map.entry("varchar", Category.TEXT),
            Map.entry("bpchar", Category.TEXT),
            Map.entry("name", Category.TEXT),
            Map.entry("citext", Category.TEXT),
            Map.entry("uuid", Category.UUID),
            Map.entry("timestamp", Category.TIMESTAMP),
            Map.entry("timestamptz", Category.TIMESTAMPTZ),
            Map.entry("date", Category.DATE),
            Map.entry("time", Category.TIME),
            Map.entry("timetz", Category.TIME),
            Map.entry("json", Category.JSON),
            Map.entry("jsonb", Category.JSON),
            Map.entry("bytea", Category.BYTEA),
            Map.entry("vector", Category.VECTOR));

    /** Spellings seen so far; bounded, as predicates may name any type. */
    private static final Map<String, PgType> PARSED = new ConcurrentHashMap<>();

    private static final int MAX_PARSED = 4096;

    public PgType {
        Objects.requireNonNull(name, "name");
    }

    /** Parses a type as Postgres prints it; unknown names are kept as they are (category OTHER). */
    public static PgType of(String spelling) {
        // every change carries its columns' type names: parse each spelling once
        PgType cached = PARSED.get(spelling);
        if (cached != null) {
            return cached;
        }
        PgType parsed = parse(spelling);
        if (PARSED.size() < MAX_PARSED) {
            PARSED.put(spelling, parsed);
        }
        return parsed;
    }

    private static PgType parse(String spelling) {
        String s = spelling.trim().toLowerCase(Locale.ROOT);
        boolean array = false;
        if (s.endsWith("[]")) {
            array = true;
            s = s.substring(0, s.length() - 2).trim();
        } else if (s.startsWith("_")) {
            array = true;
            s = s.substring(1);
        }
        int paren = s.indexOf('(');
        if (paren >= 0) {
            int close = s.indexOf(')', paren);
            s = (s.substring(0, paren) + (close >= 0 ? s.substring(close + 1) : "")).trim();
        }
        if (s.startsWith("pg_catalog.")) {
            s = s.substring("pg_catalog.".length());
        }
        if (s.startsWith("public.")) {
            s = s.substring("public.".length());
        }
        return new PgType(ALIASES.getOrDefault(s, s), array);
    }

    /** The family of the element type. */
    public Category category() {
        return CATEGORIES.getOrDefault(name, Category.OTHER);
    }

    @Override
    public String toString() {
        return array ? name + "[]" : name;
    }
}
