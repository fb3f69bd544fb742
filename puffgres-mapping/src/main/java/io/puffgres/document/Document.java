package io.puffgres.document;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A turbopuffer document ready to write: id plus attributes (never including {@code id}).
 *
 * <p>Attribute values: {@link String}, {@link Long} (int/uint), {@link Double} (float), {@link Boolean},
 * {@link java.util.UUID} (uuid), {@link java.time.Instant} (datetime), {@code float[]} (a dense vector),
 * {@link java.util.List} of those (arrays), or {@code null} (no value). Immutable.
 */
public record Document(DocId id, Map<String, Object> attributes) {

    public Document {
        Objects.requireNonNull(id, "id");
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
        if (attributes.containsKey("id")) {
            throw new IllegalArgumentException("attributes must not contain 'id'");
        }
    }
}
