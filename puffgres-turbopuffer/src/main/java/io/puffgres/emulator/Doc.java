package io.puffgres.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One stored document: its id key (see {@link Values#idKey}), attributes without {@code id}, and its logical size
 * (measured once, for the billing and metadata figures). Never mutated.
 */
record Doc(Object id, ObjectNode attrs, long bytes) {

    Doc(Object id, ObjectNode attrs) {
        this(id, attrs, 8 + attrs.toString().length());
    }

    /** The value of {@code attribute}; {@code id} gives the id. Null when absent or null. */
    JsonNode get(String attribute) {
        if (attribute.equals("id")) {
            return Values.idNode(id);
        }
        JsonNode v = attrs.get(attribute);
        return v == null || v.isNull() ? null : v;
    }
}
