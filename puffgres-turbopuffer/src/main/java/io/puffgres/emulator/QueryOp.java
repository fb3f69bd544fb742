package io.puffgres.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One query ({@code POST /v2/namespaces/:ns/query}): filters, then ranking by attribute order, id, exact
 * vector distance (for both ANN and kNN) or BM25, then {@code top_k}, attribute selection and aggregation. The
 * caller holds the namespace's lock.
 */
final class QueryOp {

    static final int MAX_TOP_K = 10_000;
    /** turbopuffer bills at least this many bytes queried per query. */
    static final long MIN_BILLED_BYTES = 256_000_000L;

    private record Scored(Doc doc, Double dist) {}

    private QueryOp() {}

    static ObjectNode run(Namespace ns, JsonNode body) {
        synchronized (ns) {
            if (body.has("queries")) {
                ArrayNode results = Values.JSON.arrayNode();
                if (!body.get("queries").isArray() || body.get("queries").size() > 16) {
                    throw TpufError.badRequest("💔 queries must be an array of at most 16 queries");
                }
                for (JsonNode q : body.get("queries")) {
                    ObjectNode r = single(ns, q);
                    r.remove("billing");
                    r.remove("performance");
                    results.add(r);
                }
                ObjectNode out = Values.JSON.objectNode();
                out.set("results", results);
                addBillingAndPerformance(ns, out, 0, System.nanoTime());
                return out;
            }
            return single(ns, body);
        }
    }

    private static ObjectNode single(Namespace ns, JsonNode q) {
        long start = System.nanoTime();
        checkConsistency(q);
        Predicate<Doc> filter = q.has("filters") ? Filters.compile(q.get("filters"), ns::typeOf, null) : d -> true;
        List<Doc> matching =
                candidates(ns, q.get("filters")).stream().filter(filter).toList();
        ObjectNode out = Values.JSON.objectNode();
        if (q.has("aggregate_by")) {
            aggregate(q, matching, out);
            addBillingAndPerformance(ns, out, 0, start);
            return out;
        }
        int topK = topK(q);
        List<Scored> ranked = rank(ns, q, matching);
        AttributeSelection select = AttributeSelection.of(ns, q);
        ArrayNode rows = out.putArray("rows");
        long returned = 0;
        for (Scored s : ranked.subList(0, Math.min(topK, ranked.size()))) {
            ObjectNode row = rows.addObject();
            row.set("id", Values.idNode(s.doc().id()));
            if (s.dist() != null) {
                row.put("$dist", s.dist());
            }
            s.doc().forEachAttribute((attr, v) -> {
                if (!v.isNull() && select.includes(attr)) {
                    row.set(attr, v);
                }
            });
            returned += row.toString().length();
        }
        addBillingAndPerformance(ns, out, returned, start);
        return out;
    }

    /**
     * The documents a query's filter can match: the one document for a top-level {@code ["id", "Eq", v]} (how
     * clients poll for one row; turbopuffer answers it from the id index too), every document otherwise.
     */
    private static Collection<Doc> candidates(Namespace ns, JsonNode filters) {
        if (filters != null
                && filters.isArray()
                && filters.size() == 3
                && filters.get(0).asText().equals("id")
                && filters.get(1).asText().equals("Eq")
                && !filters.get(2).isObject()) {
            try {
                Doc d = ns.docs.get(Values.idKey(filters.get(2), ns.idType, "filters", -1));
                return d == null ? List.of() : List.of(d);
            } catch (TpufError e) {
                // a value that is no id of this namespace: the full filter decides
            }
        }
        return ns.docs.values();
    }

    private static void checkConsistency(JsonNode q) {
        JsonNode level = q.path("consistency").path("level");
        if (!level.isMissingNode()
                && !level.asText().equals("strong")
                && !level.asText().equals("eventual")) {
            throw TpufError.unprocessable(
                    "consistency.level", "unknown variant `" + level.asText() + "`, expected `strong` or `eventual`");
        }
    }

    private static int topK(JsonNode q) {
        JsonNode limit = q.has("top_k") ? q.get("top_k") : q.get("limit");
        if (limit != null && limit.isObject()) {
            limit = limit.get("total");
        }
        if (limit == null || limit.isNull()) {
            if (q.has("rank_by")) {
                throw TpufError.badRequest("💔 rank_by queries must specify top_k or limit");
            }
            return MAX_TOP_K;
        }
        if (!limit.isIntegralNumber() || limit.asLong() < 1 || limit.asLong() > MAX_TOP_K) {
            throw TpufError.badRequest("💔 top_k must be between 1 and " + MAX_TOP_K);
        }
        return limit.asInt();
    }

    private static void aggregate(JsonNode q, List<Doc> matching, ObjectNode out) {
        if (q.has("rank_by") || q.has("include_attributes")) {
            throw TpufError.badRequest("💔 aggregate_by cannot be combined with rank_by or include_attributes");
        }
        if (q.has("top_k") && !q.has("group_by")) {
            throw TpufError.badRequest("💔 top_k is not supported in aggregation queries without group_by");
        }
        if (q.has("limit") && !q.has("group_by")) {
            throw TpufError.unprocessable("limit", "not supported in aggregation queries without group_by");
        }
        if (!q.get("aggregate_by").isObject() || q.get("aggregate_by").size() != 1) {
            throw TpufError.badRequest("💔 aggregate_by currently requires exactly one function");
        }
        ObjectNode aggregations = out.putObject("aggregations");
        q.get("aggregate_by").fields().forEachRemaining(f -> {
            JsonNode fn = f.getValue();
            if (!fn.isArray() || fn.isEmpty() || !fn.get(0).asText().equals("Count")) {
                throw TpufError.badRequest(
                        "💔 unsupported aggregate function " + fn + " (the emulator supports Count)");
            }
            if (fn.size() > 1) {
                String attr = fn.get(1).asText();
                aggregations.put(
                        f.getKey(),
                        matching.stream().filter(d -> d.get(attr) != null).count());
            } else {
                aggregations.put(f.getKey(), matching.size());
            }
        });
    }

    private static List<Scored> rank(Namespace ns, JsonNode q, List<Doc> docs) {
        JsonNode rankBy = q.get("rank_by");
        List<Scored> scored = new ArrayList<>(docs.size());
        if (rankBy == null) {
            docs.forEach(d -> scored.add(new Scored(d, null)));
            scored.sort(Comparator.comparing(s -> s.doc(), QueryOp::byId));
            return scored;
        }
        if (!rankBy.isArray() || rankBy.isEmpty()) {
            throw TpufError.badRequest("💔 invalid rank_by: " + rankBy);
        }
        if (rankBy.get(0).isArray()) {
            docs.forEach(d -> scored.add(new Scored(d, null)));
            scored.sort(Comparator.comparing(Scored::doc, attributeOrder(ns, rankBy)));
            return scored;
        }
        String op = rankBy.size() > 1 ? rankBy.get(1).asText() : "";
        if (op.equals("asc") || op.equals("desc")) {
            docs.forEach(d -> scored.add(new Scored(d, null)));
            scored.sort(Comparator.comparing(
                    Scored::doc, attributeOrder(ns, Values.JSON.arrayNode().add(rankBy))));
            return scored;
        }
        if (op.equals("ANN") || op.equals("kNN")) {
            return nearest(ns, rankBy, docs);
        }
        double[] scores = textScores(ns, rankBy, docs);
        for (int i = 0; i < docs.size(); i++) {
            if (scores[i] > 0) {
                scored.add(new Scored(docs.get(i), scores[i]));
            }
        }
        scored.sort(Comparator.comparingDouble((Scored s) -> -s.dist()).thenComparing(Scored::doc, QueryOp::byId));
        return scored;
    }

    private static List<Scored> nearest(Namespace ns, JsonNode rankBy, List<Doc> docs) {
        String attr = rankBy.get(0).asText();
        if (Values.vectorDims(String.valueOf(ns.typeOf(attr))) < 0) {
            throw TpufError.badRequest("💔 attribute '" + attr + "' is not a vector attribute");
        }
        float[] query = Values.vector(rankBy.get(2), attr);
        boolean cosine = !"euclidean_squared".equals(ns.distanceMetric);
        List<Scored> scored = new ArrayList<>();
        for (Doc d : docs) {
            JsonNode v = d.get(attr);
            if (v == null) {
                continue;
            }
            float[] x = Values.vector(v, attr);
            if (x.length != query.length) {
                throw TpufError.badRequest("💔 query vector has " + query.length + " dimensions, expected " + x.length);
            }
            scored.add(new Scored(d, cosine ? cosineDistance(x, query) : euclideanSquared(x, query)));
        }
        scored.sort(Comparator.comparingDouble(Scored::dist).thenComparing(Scored::doc, QueryOp::byId));
        return scored;
    }

    /** BM25 of {@code ["attr","BM25","q"]}, or the Sum / Max of several. */
    private static double[] textScores(Namespace ns, JsonNode expr, List<Doc> docs) {
        String head = expr.get(0).asText();
        if ((head.equals("Sum") || head.equals("Max"))
                && expr.size() == 2
                && expr.get(1).isArray()) {
            double[] total = new double[docs.size()];
            for (JsonNode part : expr.get(1)) {
                double[] s = textScores(ns, part, docs);
                for (int i = 0; i < total.length; i++) {
                    total[i] = head.equals("Sum") ? total[i] + s[i] : Math.max(total[i], s[i]);
                }
            }
            return total;
        }
        if (expr.size() < 3 || !expr.get(1).asText().equals("BM25")) {
            throw TpufError.badRequest("💔 unsupported rank_by expression " + expr);
        }
        if (!ns.fullTextSearch(head)) {
            throw TpufError.badRequest(
                    "💔 attribute '" + head + "' has no full-text index (set full_text_search in the schema)");
        }
        List<String> texts = docs.stream()
                .map(d -> d.get(head) == null ? null : d.get(head).asText())
                .toList();
        return Bm25.score(texts, expr.get(2).asText());
    }

    private static Comparator<Doc> attributeOrder(Namespace ns, JsonNode orders) {
        Comparator<Doc> order = null;
        for (JsonNode o : orders) {
            String attr = o.get(0).asText();
            boolean desc = o.get(1).asText().equals("desc");
            String type = ns.typeOf(attr);
            Comparator<Doc> c = (a, b) -> {
                JsonNode x = a.get(attr);
                JsonNode y = b.get(attr);
                if (x == null || y == null) {
                    // missing values sort first ascending, last descending
                    return x == y ? 0 : x == null ? -1 : 1;
                }
                return Filters.Compare.compare(x, y, type);
            };
            c = desc ? c.reversed() : c;
            order = order == null ? c : order.thenComparing(c);
        }
        return order.thenComparing(QueryOp::byId);
    }

    private static int byId(Doc a, Doc b) {
        Object x = a.id();
        Object y = b.id();
        if (x instanceof Long l && y instanceof Long m) {
            return Long.compareUnsigned(l, m);
        }
        return x.toString().compareTo(y.toString());
    }

    static double cosineDistance(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 1 : 1 - dot / Math.sqrt(na * nb);
    }

    static double euclideanSquared(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }

    private static void addBillingAndPerformance(Namespace ns, ObjectNode out, long returned, long start) {
        long ms = (System.nanoTime() - start) / 1_000_000;
        out.set(
                "billing",
                Values.JSON
                        .objectNode()
                        .put("billable_logical_bytes_queried", Math.max(MIN_BILLED_BYTES, ns.logicalBytes()))
                        .put("billable_logical_bytes_returned", returned));
        out.set(
                "performance",
                Values.JSON
                        .objectNode()
                        .put("cache_hit_ratio", 1.0)
                        .put("cache_temperature", "hot")
                        .put("server_total_ms", ms)
                        .put("query_execution_ms", ms)
                        .put("exhaustive_search_count", ns.docs.size())
                        .put("approx_namespace_size", ns.docs.size()));
    }

    /** Which attributes a query returns: {@code include_attributes} (list or true) or {@code exclude_attributes}. */
    private record AttributeSelection(boolean all, Set<String> names, boolean exclude) {

        static AttributeSelection of(Namespace ns, JsonNode q) {
            JsonNode include = q.get("include_attributes");
            JsonNode exclude = q.get("exclude_attributes");
            if (include != null && exclude != null && !include.isNull() && !exclude.isNull()) {
                throw TpufError.badRequest("💔 cannot specify both include_attributes and exclude_attributes");
            }
            if (exclude != null && exclude.isArray()) {
                Set<String> names = new HashSet<>();
                exclude.forEach(n -> names.add(n.asText()));
                return new AttributeSelection(false, names, true);
            }
            if (include == null || include.isNull() || (include.isBoolean() && !include.asBoolean())) {
                return new AttributeSelection(false, Set.of(), false);
            }
            if (include.isBoolean()) {
                return new AttributeSelection(true, Set.of(), false);
            }
            Set<String> names = new HashSet<>();
            for (JsonNode n : include) {
                String name = n.asText();
                if (!name.equals("id") && ns.typeOf(name) == null) {
                    throw TpufError.badRequest("💔 attribute \"" + name + "\" not found in schema, cannot be part of"
                            + " `include_attributes`. Available attributes: " + String.join(", ", ns.schema.keySet()));
                }
                names.add(name);
            }
            return new AttributeSelection(false, names, false);
        }

        boolean includes(String attribute) {
            return all || (exclude ? !names.contains(attribute) : names.contains(attribute));
        }
    }
}
