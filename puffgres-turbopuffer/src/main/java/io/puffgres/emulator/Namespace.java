package io.puffgres.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One emulated namespace: documents, schema, distance metric and timestamps. Every public operation is
 * synchronized, so each request is atomic and requests to one namespace are serialised.
 */
final class Namespace {

    static final Set<String> SCALAR_TYPES = Set.of("string", "int", "uint", "float", "uuid", "datetime", "bool");
    static final Set<String> METRICS = Set.of("cosine_distance", "euclidean_squared");

    final String name;
    private final Map<Object, Doc> stored = new HashMap<>();
    /** The documents by id key, read-only: writes go through {@link #put} and {@link #remove}. */
    final Map<Object, Doc> docs = Collections.unmodifiableMap(stored);
    /** The sum of the documents' sizes, kept as they change (queries report it on every call). */
    private long logicalBytes;
    /** Attribute → schema entry as turbopuffer returns it ({type, filterable, full_text_search, ann…}). */
    final Map<String, ObjectNode> schema = new LinkedHashMap<>();

    String idType;
    String distanceMetric;
    Instant createdAt;
    Instant updatedAt;
    Instant lastWriteAt;

    Namespace(String name, Instant now) {
        this.name = name;
        this.createdAt = now;
        this.updatedAt = now;
    }

    /** The schema type of {@code attribute} ({@code id} included), or null when unknown. */
    String typeOf(String attribute) {
        if (attribute.equals("id")) {
            return idType;
        }
        ObjectNode entry = schema.get(attribute);
        return entry == null ? null : entry.path("type").asText(null);
    }

    boolean fullTextSearch(String attribute) {
        ObjectNode entry = schema.get(attribute);
        return entry != null
                && entry.hasNonNull("full_text_search")
                && !entry.get("full_text_search").equals(Values.JSON.booleanNode(false));
    }

    /**
     * Merges a schema input ({@code attr: "type" | {type, …}}) into the schema, rejecting type changes.
     *
     * @param pathPrefix where the input sits in the request, for 422 messages
     */
    void applySchema(JsonNode input, String pathPrefix) {
        if (!input.isObject()) {
            throw TpufError.unprocessable(pathPrefix, "invalid type: " + Values.kind(input) + ", expected a map");
        }
        Map<String, ObjectNode> parsed = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = input.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            parsed.put(f.getKey(), entry(f.getKey(), f.getValue(), pathPrefix));
        }
        for (Map.Entry<String, ObjectNode> e : parsed.entrySet()) {
            String attr = e.getKey();
            String type = e.getValue().get("type").asText();
            if (attr.equals("id")) {
                if (idType != null && !idType.equals(type)) {
                    throw new TpufError(
                            400,
                            "🙅 invalid schema update for attribute 'id': cannot change attribute type" + " from "
                                    + idType + " to " + type,
                            false,
                            "id");
                }
                idType = type;
                continue;
            }
            String current = typeOf(attr);
            if (current != null && !current.equals(type)) {
                throw new TpufError(
                        400,
                        "🙅 invalid schema update for attribute '" + attr + "': cannot change attribute" + " type from "
                                + current + " to " + type,
                        false,
                        attr);
            }
        }
        parsed.forEach((attr, entry) -> {
            if (!attr.equals("id")) {
                ObjectNode merged = schema.containsKey(attr) ? schema.get(attr).deepCopy() : entry;
                if (schema.containsKey(attr)) {
                    entry.fields().forEachRemaining(f -> merged.set(f.getKey(), f.getValue()));
                }
                schema.put(attr, merged);
            }
        });
    }

    private static ObjectNode entry(String attr, JsonNode v, String pathPrefix) {
        ObjectNode entry;
        if (v.isTextual()) {
            entry = Values.JSON.objectNode().put("type", v.textValue());
        } else if (v.isObject() && v.hasNonNull("type") && v.get("type").isTextual()) {
            entry = ((ObjectNode) v).deepCopy();
        } else {
            throw TpufError.unprocessable(
                    pathPrefix + (pathPrefix.isEmpty() ? "" : ".") + attr,
                    "data did not match any variant of untagged enum AttributeSchemaInput");
        }
        String type = entry.get("type").asText();
        String base = type.startsWith("[]") ? type.substring(2) : type;
        if (!SCALAR_TYPES.contains(base) && Values.vectorDims(type) < 0) {
            throw TpufError.badRequest("💔 unknown type '" + type + "' for attribute '" + attr + "'");
        }
        boolean textIndex = entry.path("full_text_search").isObject()
                || entry.path("full_text_search").asBoolean(false)
                || entry.path("regex").asBoolean(false)
                || entry.path("glob").asBoolean(false);
        if (!entry.has("filterable")) {
            entry.put("filterable", !textIndex && Values.vectorDims(type) < 0);
        }
        if (Values.vectorDims(type) >= 0
                && !attr.equals("vector")
                && !entry.path("ann").asBoolean(entry.path("ann").isObject())) {
            throw TpufError.badRequest("💔 vector attribute '" + attr + "' must have ann:true");
        }
        return entry;
    }

    /** The schema as {@code GET /v1/namespaces/:ns/schema} returns it. */
    synchronized ObjectNode schemaJson() {
        ObjectNode out = Values.JSON.objectNode();
        if (idType != null) {
            out.set(
                    "id",
                    Values.JSON
                            .objectNode()
                            .put("type", idType)
                            .putNull("filterable")
                            .putNull("full_text_search"));
        }
        schema.forEach((attr, entry) -> {
            ObjectNode e = entry.deepCopy();
            if (!e.has("full_text_search")) {
                e.putNull("full_text_search");
            }
            if (Values.vectorDims(e.get("type").asText()) >= 0 && !e.has("ann")) {
                e.put("ann", true);
            }
            out.set(attr, e);
        });
        return out;
    }

    synchronized ObjectNode updateSchema(JsonNode body, Instant now) {
        if (body.isObject()
                && body.size() == 1
                && body.has("schema")
                && body.get("schema").isObject()) {
            throw TpufError.unprocessable(
                    "schema", "data did not match any variant of untagged enum AttributeSchemaInput");
        }
        applySchema(body, "");
        updatedAt = now;
        return schemaJson();
    }

    /** {@code GET /v{1,2}/namespaces/:ns/metadata}: schema entries without null fields, counts and times. */
    synchronized ObjectNode metadata() {
        ObjectNode out = Values.JSON.objectNode();
        ObjectNode s = schemaJson();
        s.fields().forEachRemaining(f -> {
            ObjectNode e = (ObjectNode) f.getValue();
            e.properties().removeIf(p -> p.getValue().isNull());
            if (e.has("ann") && distanceMetric != null) {
                e.set("ann", Values.JSON.objectNode().put("distance_metric", distanceMetric));
            }
        });
        out.set("schema", s);
        out.put("approx_row_count", docs.size());
        out.put("approx_logical_bytes", logicalBytes());
        out.put("created_at", createdAt.toString());
        out.put("updated_at", updatedAt.toString());
        if (lastWriteAt != null) {
            out.put("last_write_at", lastWriteAt.toString());
        }
        out.set("encryption", Values.JSON.objectNode().put("mode", "default"));
        out.set("index", Values.JSON.objectNode().put("status", "up-to-date"));
        return out;
    }

    long logicalBytes() {
        return logicalBytes;
    }

    void put(Doc d) {
        Doc old = stored.put(d.id(), d);
        logicalBytes += d.bytes() - (old == null ? 0 : old.bytes());
    }

    void remove(Object id) {
        Doc old = stored.remove(id);
        if (old != null) {
            logicalBytes -= old.bytes();
        }
    }
}
