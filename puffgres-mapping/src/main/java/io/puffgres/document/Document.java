package io.puffgres.document;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A turbopuffer document ready to write: id plus attributes (never including {@code id}).
 *
 * <p>Attribute values: {@link String}, {@link Long} (int/uint), {@link Double} (float), {@link Boolean},
 * {@link java.util.UUID} (uuid), {@link java.time.Instant} (datetime), {@code float[]} (a dense vector),
 * {@link java.util.List} of those (arrays), or {@code null} (no value). Immutable: the constructor copies the
 * attributes, unless they are already a document's.
 */
public record Document(DocId id, Map<String, Object> attributes) {

    public Document {
        Objects.requireNonNull(id, "id");
        if (!(attributes instanceof Attributes)) {
            attributes = new Attributes(new LinkedHashMap<>(attributes));
        }
        if (attributes.containsKey("id")) {
            throw new IllegalArgumentException("attributes must not contain 'id'");
        }
    }

    /**
     * A document that takes {@code attributes} over uncopied: whoever built the map must not touch it again. Saves a
     * copy per change for the transforms that build a fresh map per row.
     */
    public static Document adopt(DocId id, LinkedHashMap<String, Object> attributes) {
        return new Document(id, new Attributes(attributes));
    }

    /** The unmodifiable attributes of a document, so a document made from another's is not copied again. */
    private static final class Attributes extends AbstractMap<String, Object> {
        private final LinkedHashMap<String, Object> map;
        private final Map<String, Object> view;

        Attributes(LinkedHashMap<String, Object> map) {
            this.map = map;
            this.view = Collections.unmodifiableMap(map);
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return view.entrySet();
        }

        @Override
        public Set<String> keySet() {
            return view.keySet();
        }

        // reads go to the map itself, without the unmodifiable view in between

        @Override
        public Object get(Object key) {
            return map.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return map.containsKey(key);
        }

        @Override
        public int size() {
            return map.size();
        }

        @Override
        public void forEach(BiConsumer<? super String, ? super Object> action) {
            map.forEach(action); // without the entry wrappers of entrySet()
        }
    }
}
