package io.puffgres.membership;

import io.puffgres.event.PgType;
import java.util.Map;

/** PostgreSQL's display names of types, as its error messages print them. */
final class PgTypeNames {

    private static final Map<String, String> DISPLAY = Map.ofEntries(
            Map.entry("int2", "smallint"),
            Map.entry("int4", "integer"),
            Map.entry("int8", "bigint"),
            Map.entry("float4", "real"),
            Map.entry("float8", "double precision"),
            Map.entry("bool", "boolean"),
            Map.entry("varchar", "character varying"),
            Map.entry("bpchar", "character"),
            Map.entry("timestamp", "timestamp without time zone"),
            Map.entry("timestamptz", "timestamp with time zone"));

    private PgTypeNames() {}

    static String display(PgType type) {
        String base = DISPLAY.getOrDefault(type.name(), type.name());
        return type.array() ? base + "[]" : base;
    }
}
