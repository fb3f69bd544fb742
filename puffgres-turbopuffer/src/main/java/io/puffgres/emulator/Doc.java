package io.puffgres.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * One stored document: its id key (see {@link Values#idKey}), attributes without {@code id}, and its logical size
 * (measured once, for the billing and metadata figures). Never mutated.
 */
record Doc(Object id, ObjectNode attrs, long bytes) {

    Doc(Object id, ObjectNode attrs) {
        this(id, attrs, 8 + size(attrs));
    }

    /** The value of {@code attribute}; {@code id} gives the id. Null when absent or null. */
    JsonNode get(String attribute) {
        if (attribute.equals("id")) {
            return Values.idNode(id);
        }
        JsonNode v = attrs.get(attribute);
        return v == null || v.isNull() ? null : v;
    }

    /**
     * The logical size of a value: 8 bytes a number, 1 a boolean, the characters of a string, the sum of an array's
     * elements and of an object's names and values. Walks the tree instead of serializing it (every write measures
     * every document).
     */
    static long size(JsonNode v) {
        if (v.isTextual()) {
            return v.textValue().length();
        }
        if (v.isNumber()) {
            return 8;
        }
        if (v.isBoolean()) {
            return 1;
        }
        long bytes = 0;
        if (v.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = v.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                bytes += f.getKey().length() + size(f.getValue());
            }
        } else if (v.isArray()) {
            for (JsonNode e : v) {
                bytes += size(e);
            }
        }
        return bytes;
    }
}
