package io.puffgres.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One write request ({@code POST /v2/namespaces/:ns}) against a namespace: parsed and validated completely
 * first, then applied — delete_by_filter, then patch_by_filter, then upserts, patches and deletes — so a
 * rejected request changes nothing. The caller holds the namespace's lock.
 */
final class WriteOp {

    /** turbopuffer's per-request caps on filter-based writes. */
    static final int MAX_PATCH_BY_FILTER = 50_000;

    static final int MAX_DELETE_BY_FILTER = 5_000_000;

    private final Namespace ns;
    private final ObjectNode body;
    private final List<Doc> upserts = new ArrayList<>();
    private final List<Doc> patches = new ArrayList<>();
    private final List<Object> deletes = new ArrayList<>();
    /** Attribute names seen in this request, each checked once (the documents of a request share most). */
    private final Set<String> validNames = new HashSet<>();
    /** The types of each shape of document in this request, by its names array (see {@link Doc#names}). */
    private final Map<String[], String[]> shapeTypes = new IdentityHashMap<>();

    private WriteOp(Namespace ns, ObjectNode body) {
        this.ns = ns;
        this.body = body;
    }

    /** Applies {@code body} to {@code ns} atomically and returns turbopuffer's write response. */
    static ObjectNode apply(Namespace ns, ObjectNode body, Instant now) {
        synchronized (ns) {
            return new WriteOp(ns, body).run(now);
        }
    }

    private ObjectNode run(Instant now) {
        long start = System.nanoTime();
        String metric =
                body.hasNonNull("distance_metric") ? body.get("distance_metric").asText() : null;
        if (metric != null && !Namespace.METRICS.contains(metric)) {
            throw TpufError.unprocessable(
                    "distance_metric",
                    "unknown variant `" + metric + "`, expected `cosine_distance` or `euclidean_squared`");
        }
        if (metric != null && ns.distanceMetric != null && !metric.equals(ns.distanceMetric)) {
            throw TpufError.badRequest(
                    "💔 distance metric mismatch, expected " + ns.distanceMetric + ", got " + metric);
        }
        if (body.has("copy_from_namespace") && body.size() > 1) {
            throw TpufError.badRequest("💔 copy_from_namespace cannot be used with other write request fields");
        }
        // validate on a scratch copy of the schema, so a rejected request leaves the namespace as it was
        Map<String, ObjectNode> schemaBefore = new LinkedHashMap<>();
        ns.schema.forEach((k, v) -> schemaBefore.put(k, v.deepCopy()));
        String idTypeBefore = ns.idType;
        try {
            if (body.has("schema")) {
                ns.applySchema(body.get("schema"), "schema");
            }
            readRows("upsert_rows", upserts);
            readColumns("upsert_columns", upserts);
            readRows("patch_rows", patches);
            readColumns("patch_columns", patches);
            readDeletes();
            checkDuplicates();
            String effectiveMetric = metric != null ? metric : ns.distanceMetric;
            upserts.replaceAll(d -> checkAttributes(d, effectiveMetric, false));
            patches.replaceAll(d -> checkAttributes(d, effectiveMetric, true));
            return commit(now, metric, start);
        } catch (RuntimeException e) {
            ns.schema.clear();
            ns.schema.putAll(schemaBefore);
            ns.idType = idTypeBefore;
            throw e;
        }
    }

    private ObjectNode commit(Instant now, String metric, long start) {
        int deletedByFilter = deleteByFilter();
        int patchedByFilter = patchByFilter();
        int upserted = 0;
        Predicate<Doc> always = d -> true;
        for (Doc d : upserts) {
            Doc current = ns.docs.get(d.id());
            if (current == null || condition("upsert_condition", d).test(current)) {
                ns.put(d);
                upserted++;
            }
        }
        int patched = 0;
        for (Doc d : patches) {
            Doc current = ns.docs.get(d.id());
            if (current != null && condition("patch_condition", d).test(current)) {
                ObjectNode merged = current.attrs();
                merged.setAll(d.attrs());
                ns.put(new Doc(d.id(), merged));
                patched++;
            }
        }
        int deleted = 0;
        Predicate<Doc> deleteCondition = body.has("delete_condition") ? condition("delete_condition", null) : always;
        for (Object id : deletes) {
            Doc current = ns.docs.get(id);
            if (current != null && deleteCondition.test(current)) {
                ns.remove(id);
                deleted++;
            }
        }
        if (metric != null) {
            ns.distanceMetric = metric;
        }
        ns.lastWriteAt = now;
        ns.updatedAt = now;
        ObjectNode out = Values.JSON.objectNode();
        out.put("status", "OK");
        out.put("message", "documents committed successfully");
        out.put("rows_affected", upserted + patched + patchedByFilter + deleted + deletedByFilter);
        if (body.has("upsert_rows") || body.has("upsert_columns")) {
            out.put("rows_upserted", upserted);
        }
        if (body.has("patch_rows") || body.has("patch_columns") || body.has("patch_by_filter")) {
            out.put("rows_patched", patched + patchedByFilter);
        }
        if (body.has("deletes") || body.has("delete_by_filter")) {
            out.put("rows_deleted", deleted + deletedByFilter);
        }
        out.set("billing", Values.JSON.objectNode().put("billable_logical_bytes_written", billableBytes()));
        out.set(
                "performance",
                Values.JSON.objectNode().put("server_total_ms", (System.nanoTime() - start) / 1_000_000));
        return out;
    }

    /** The bytes written: the logical size of each upserted and patched document, 8 per deleted id. */
    private long billableBytes() {
        long bytes = 8L * deletes.size();
        for (List<Doc> docs : List.of(upserts, patches)) {
            for (Doc d : docs) {
                bytes += d.bytes();
            }
        }
        return bytes;
    }

    private Predicate<Doc> condition(String field, Doc incoming) {
        return body.has(field) ? Filters.compile(body.get(field), ns::typeOf, incoming) : d -> true;
    }

    private int deleteByFilter() {
        if (!body.has("delete_by_filter")) {
            return 0;
        }
        Predicate<Doc> filter = Filters.compile(body.get("delete_by_filter"), ns::typeOf, null);
        List<Object> matching =
                ns.docs.values().stream().filter(filter).map(Doc::id).toList();
        if (matching.size() > MAX_DELETE_BY_FILTER
                && !body.path("delete_by_filter_allow_partial").asBoolean()) {
            throw TpufError.badRequest("💔 delete_by_filter would delete more than " + MAX_DELETE_BY_FILTER + " rows");
        }
        matching.stream().limit(MAX_DELETE_BY_FILTER).forEach(ns::remove);
        return (int) Math.min(matching.size(), MAX_DELETE_BY_FILTER);
    }

    private int patchByFilter() {
        JsonNode spec = body.get("patch_by_filter");
        if (spec == null) {
            return 0;
        }
        if (!spec.has("filters") || !spec.path("patch").isObject()) {
            throw TpufError.unprocessable("patch_by_filter", "missing field `filters` or `patch`");
        }
        Predicate<Doc> filter = Filters.compile(spec.get("filters"), ns::typeOf, null);
        List<Doc> matching = ns.docs.values().stream().filter(filter).toList();
        if (matching.size() > MAX_PATCH_BY_FILTER
                && !body.path("patch_by_filter_allow_partial").asBoolean()) {
            throw TpufError.badRequest("💔 patch_by_filter would patch more than " + MAX_PATCH_BY_FILTER + " rows");
        }
        ObjectNode patch = (ObjectNode) spec.get("patch");
        int n = 0;
        for (Doc d : matching) {
            if (n == MAX_PATCH_BY_FILTER) {
                break;
            }
            ObjectNode merged = d.attrs();
            merged.setAll(patch);
            ns.put(new Doc(d.id(), merged));
            n++;
        }
        return n;
    }

    private void readRows(String field, List<Doc> into) {
        JsonNode rows = body.get(field);
        if (rows == null || rows.isNull()) {
            return;
        }
        if (!rows.isArray()) {
            throw TpufError.unprocessable(field, "invalid type: " + Values.kind(rows) + ", expected a sequence");
        }
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = rows.get(i);
            String path = field + "[" + i + "]";
            if (!row.isObject()) {
                throw TpufError.unprocessable(path, "invalid type: " + Values.kind(row) + ", expected a map");
            }
            if (!row.has("id")) {
                throw TpufError.unprocessable(path, "missing field `id`");
            }
            into.add(new Doc(idKey(row.get("id"), path, -1), (ObjectNode) row)); // Doc leaves the id field out
        }
    }

    private void readColumns(String field, List<Doc> into) {
        JsonNode columns = body.get(field);
        if (columns == null || columns.isNull()) {
            return;
        }
        if (!columns.isObject() || !columns.path("id").isArray()) {
            throw TpufError.unprocessable(field, "missing field `id`");
        }
        JsonNode ids = columns.get("id");
        int n = ids.size();
        List<String> names = new ArrayList<>();
        List<JsonNode> values = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = columns.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> column = fields.next();
            if (column.getKey().equals("id")) {
                continue;
            }
            if (!column.getValue().isArray() || column.getValue().size() != n) {
                throw TpufError.badRequest("💔 " + field + ": column '" + column.getKey() + "' has "
                        + column.getValue().size() + " values but there are " + n + " ids");
            }
            names.add(column.getKey());
            values.add(column.getValue());
        }
        String[] shared = names.toArray(String[]::new); // one array for the request's documents
        String idPath = field + ".id";
        for (int i = 0; i < n; i++) {
            JsonNode[] row = new JsonNode[shared.length];
            for (int c = 0; c < row.length; c++) {
                row[c] = values.get(c).get(i);
            }
            into.add(new Doc(idKey(ids.get(i), idPath, i), shared, row));
        }
    }

    private void readDeletes() {
        JsonNode ids = body.get("deletes");
        if (ids == null || ids.isNull()) {
            return;
        }
        if (!ids.isArray()) {
            throw TpufError.unprocessable("deletes", "invalid type: " + Values.kind(ids) + ", expected a sequence");
        }
        for (int i = 0; i < ids.size(); i++) {
            deletes.add(idKey(ids.get(i), "deletes", i));
        }
    }

    private Object idKey(JsonNode id, String path, int index) {
        if (ns.idType == null && id != null) {
            ns.idType = id.isTextual() ? "string" : "uint";
        }
        return Values.idKey(id, ns.idType, path, index);
    }

    private void checkDuplicates() {
        Set<Object> seen = new HashSet<>();
        List<Object> all = new ArrayList<>();
        upserts.forEach(d -> all.add(d.id()));
        patches.forEach(d -> all.add(d.id()));
        all.addAll(deletes);
        for (Object id : all) {
            if (!seen.add(id)) {
                throw TpufError.badRequest("💔 duplicate document id " + Values.idNode(id)
                        + " in one write request; each id may appear only once");
            }
        }
    }

    /**
     * {@code d} checked against the schema, with its vectors as float arrays; new attributes' types inferred. The
     * names and types of a shape of document are looked up once per request.
     */
    private Doc checkAttributes(Doc d, String metric, boolean patch) {
        String[] names = d.names();
        String[] types = shapeTypes.computeIfAbsent(names, this::knownTypes);
        Map<String, JsonNode> vectors = null;
        for (int i = 0; i < names.length; i++) {
            String attr = names[i];
            JsonNode v = d.value(i);
            String type = types[i];
            if (type == null) {
                type = types[i] = typeOrInfer(attr, v);
                if (type == null) {
                    continue; // no type yet and no value to infer one from
                }
            }
            if (!Values.fits(type, v)) {
                throw TpufError.badRequest("💔 value " + abbreviate(v) + " for attribute '" + attr + "' does not match"
                        + " its type " + type);
            }
            int dims = Values.vectorDims(type);
            if (dims >= 0 && !v.isNull()) {
                if (patch) {
                    throw TpufError.badRequest("💔 vector attribute '" + attr + "' cannot be patched");
                }
                if (metric == null) {
                    throw TpufError.badRequest(
                            "💔 distance_metric must be specified for write to namespace with a vector");
                }
                float[] vector = Values.vector(v, attr);
                if (vector.length != dims) {
                    throw TpufError.badRequest("💔 vector attribute '" + attr + "' has " + vector.length
                            + " dimensions, expected " + dims);
                }
                var array = Values.JSON.arrayNode();
                for (float x : vector) {
                    array.add(x);
                }
                if (vectors == null) {
                    vectors = new HashMap<>();
                }
                vectors.put(attr, array);
            }
        }
        return vectors == null ? d : d.with(vectors);
    }

    /** The namespace's type of each of {@code names} (null: none yet), each name checked once per request. */
    private String[] knownTypes(String[] names) {
        String[] types = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            String attr = names[i];
            if (validNames.add(attr)
                    && (attr.startsWith("$") || attr.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 128)) {
                throw TpufError.badRequest("💔 invalid attribute name '" + attr + "'");
            }
            types[i] = ns.typeOf(attr);
        }
        return types;
    }

    /** The type of {@code attr}: the namespace's, else inferred from {@code v} into the schema; null for a null. */
    private String typeOrInfer(String attr, JsonNode v) {
        String type = ns.typeOf(attr); // a document of another shape may have inferred it
        if (type != null) {
            return type;
        }
        type = Values.inferType(attr, v);
        if (type != null) {
            ObjectNode entry =
                    Values.JSON.objectNode().put("type", type).put("filterable", Values.vectorDims(type) < 0);
            if (Values.vectorDims(type) >= 0) {
                entry.put("ann", true);
            }
            ns.schema.put(attr, entry);
        }
        return type;
    }

    private static String abbreviate(JsonNode v) {
        String s = String.valueOf(v);
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
