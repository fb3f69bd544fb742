package io.puffgres.document;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A schema hint for one attribute, from the migration's {@code [tp_schema]} table.
 *
 * @param type the turbopuffer type ({@code string, int, uint, float, uuid, datetime, bool}, arrays such as
 *     {@code []string}, vectors such as {@code [768]f32}), or empty to infer it from the Postgres type
 * @param options the other turbopuffer schema keys exactly as turbopuffer's JSON takes them
 *     ({@code filterable}, {@code full_text_search}, {@code regex}, {@code glob}, {@code ann}), values as
 *     {@link Boolean}, {@link String}, {@link Long}, {@link Double} or nested {@link Map}
 * @param flatten puffgres-only: a json/jsonb object column becomes one attribute per top-level key
 */
public record AttributeSchema(Optional<String> type, Map<String, Object> options, boolean flatten) {

    public AttributeSchema {
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** A hint that only sets the type ({@code updated_at = "datetime"}). */
    public static AttributeSchema ofType(String type) {
        return new AttributeSchema(Optional.of(type), Map.of(), false);
    }
}
