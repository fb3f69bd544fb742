package io.puffgres.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * One stored document: its id key (see {@link Values#idKey}), attributes without {@code id}, and its logical size
 * (measured once, for the billing and metadata figures). Never mutated.
 *
 * <p>Stored compactly, because a namespace holds every document it was given: attribute names in an array shared by
 * the documents of one shape, values as {@link String}, {@link Integer}, {@link Long}, {@link Double}, {@link Boolean}
 * or (arrays, objects, other numbers, JSON null) the {@link JsonNode} itself. A tree of JSON nodes per document took
 * about twice the memory and object count, and copying them made the emulator's young collections its main cost.
 * {@link #get} and {@link #attrs} give back the very nodes that were stored (same types, same values).
 */
final class Doc {

    /** The names of the last document made from an object node: documents of one shape share them. */
    private static final ThreadLocal<String[]> LAST_NAMES = ThreadLocal.withInitial(() -> new String[0]);

    private final Object id;
    private final String[] names;
    private final Object[] values;
    private final long bytes;

    /** A document of the fields of {@code attrs}; an {@code id} field there is the id's, not an attribute. */
    Doc(Object id, ObjectNode attrs) {
        this(id, names(attrs), values(attrs));
    }

    /**
     * A document of {@code names[i]} = {@code values[i]}; {@code names} is kept (documents of one request share it)
     * and must not change afterwards.
     */
    Doc(Object id, String[] names, JsonNode[] values) {
        this.id = id;
        this.names = names;
        this.values = new Object[values.length];
        long size = 8;
        for (int i = 0; i < values.length; i++) {
            this.values[i] = compact(values[i]);
            size += size(values[i]);
        }
        this.bytes = size;
    }

    Object id() {
        return id;
    }

    /** The logical size: 8 for the id plus {@link #size} of each attribute value. */
    long bytes() {
        return bytes;
    }

    /** The value of {@code attribute}; {@code id} gives the id. Null when absent or null. */
    JsonNode get(String attribute) {
        if (attribute.equals("id")) {
            return Values.idNode(id);
        }
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(attribute)) {
                JsonNode v = node(values[i]);
                return v.isNull() ? null : v;
            }
        }
        return null;
    }

    /**
     * The attribute names in the order written: the array documents of one shape share (so it identifies the shape),
     * not to be changed.
     */
    String[] names() {
        return names;
    }

    /** The value of the attribute at {@code index} of {@link #names}, a JSON null included. */
    JsonNode value(int index) {
        return node(values[index]);
    }

    /** Each attribute (JSON nulls included) in the order it was written. */
    void forEachAttribute(BiConsumer<String, JsonNode> action) {
        for (int i = 0; i < names.length; i++) {
            action.accept(names[i], node(values[i]));
        }
    }

    /** The attributes as a new object node: changing it leaves the document alone. */
    ObjectNode attrs() {
        ObjectNode out = Values.JSON.objectNode();
        forEachAttribute(out::set);
        return out;
    }

    /** This document with each attribute of {@code changes} set to its value: one copy, however many. */
    Doc with(Map<String, JsonNode> changes) {
        ObjectNode changed = attrs();
        changed.setAll(changes);
        return new Doc(id, changed);
    }

    private static String[] names(ObjectNode attrs) {
        String[] names = new String[attributeCount(attrs)];
        Iterator<String> it = attrs.fieldNames();
        for (int i = 0; i < names.length; ) {
            String name = it.next();
            if (!name.equals("id")) {
                names[i++] = name;
            }
        }
        String[] last = LAST_NAMES.get();
        if (Arrays.equals(last, names)) {
            return last;
        }
        LAST_NAMES.set(names);
        return names;
    }

    private static JsonNode[] values(ObjectNode attrs) {
        JsonNode[] values = new JsonNode[attributeCount(attrs)];
        Iterator<Map.Entry<String, JsonNode>> it = attrs.fields();
        for (int i = 0; i < values.length; ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (!f.getKey().equals("id")) {
                values[i++] = f.getValue();
            }
        }
        return values;
    }

    private static int attributeCount(ObjectNode attrs) {
        return attrs.size() - (attrs.has("id") ? 1 : 0);
    }

    private static Object compact(JsonNode v) {
        if (v instanceof TextNode t) {
            return t.textValue();
        } else if (v instanceof IntNode n) {
            return n.intValue();
        } else if (v instanceof LongNode n) {
            return n.longValue();
        } else if (v instanceof DoubleNode n) {
            return n.doubleValue();
        } else if (v instanceof BooleanNode b) {
            return b.booleanValue();
        }
        return v;
    }

    private static JsonNode node(Object v) {
        if (v instanceof String s) {
            return TextNode.valueOf(s);
        } else if (v instanceof Integer n) {
            return IntNode.valueOf(n);
        } else if (v instanceof Long n) {
            return LongNode.valueOf(n);
        } else if (v instanceof Double n) {
            return DoubleNode.valueOf(n);
        } else if (v instanceof Boolean b) {
            return BooleanNode.valueOf(b);
        }
        return (JsonNode) v;
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
