package io.puffgres.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** One stored document: its id key (see {@link Values#idKey}) and attributes without {@code id}. Never mutated. */
record Doc(Object id, ObjectNode attrs) {

    /** The value of {@code attribute}; {@code id} gives the id. Null when absent or null. */
    JsonNode get(String attribute) {
        if (attribute.equals("id")) {
            return Values.idNode(id);
        }
        JsonNode v = attrs.get(attribute);
        return v == null || v.isNull() ? null : v;
    }
}
