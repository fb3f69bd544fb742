package io.puffgres.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One write request ({@code POST /v2/namespaces/:ns}), encoded once with Jackson's streaming generator when built,
 * so {@link #encodedSize()} is known before sending (to respect {@code batch_max_bytes}). Upserts and patches go
 * as {@code upsert_columns}/{@code patch_columns} by default (the union of the documents' attributes, null where a document lacks one), or
 * as {@code upsert_rows}. Immutable.
 */
public final class WriteRequest {

    /** Schubfach instead of {@code Double.toString} for floats: the same doubles, several times faster to write. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    private final byte[] body;
    private final int documents;

    private WriteRequest(byte[] body, int documents) {
        this.body = body;
        this.documents = documents;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The JSON body. */
    public byte[] body() {
        return body.clone();
    }

    byte[] bodyUnsafe() {
        return body;
    }

    /** Bytes of the JSON body before compression. */
    public int encodedSize() {
        return body.length;
    }

    /** Upserted, patched and deleted ids in the request. */
    public int documents() {
        return documents;
    }

    /** Builds a {@link WriteRequest}. Not thread-safe. */
    public static final class Builder {
        private final List<Document> upserts = new ArrayList<>();
        private boolean rows;
        private final List<Document> patches = new ArrayList<>();
        private final List<DocId> deletes = new ArrayList<>();
        private Filter deleteByFilter;
        private Filter upsertCondition;
        private Filter patchCondition;
        private Filter deleteCondition;
        private Map<String, Object> schema;
        private String distanceMetric;

        public Builder upsert(Document d) {
            upserts.add(d);
            return this;
        }

        public Builder upsertAll(List<Document> docs) {
            upserts.addAll(docs);
            return this;
        }

        /** Send upserts and patches as {@code upsert_rows}/{@code patch_rows} instead of the compact columns. */
        public Builder asRows() {
            rows = true;
            return this;
        }

        public Builder patch(Document d) {
            patches.add(d);
            return this;
        }

        public Builder delete(DocId id) {
            deletes.add(id);
            return this;
        }

        public Builder deleteByFilter(Filter f) {
            deleteByFilter = f;
            return this;
        }

        public Builder upsertCondition(Filter f) {
            upsertCondition = f;
            return this;
        }

        public Builder patchCondition(Filter f) {
            patchCondition = f;
            return this;
        }

        public Builder deleteCondition(Filter f) {
            deleteCondition = f;
            return this;
        }

        /** {@code schema}: attribute → type string or JSON-ready schema object. */
        public Builder schema(Map<String, Object> schema) {
            this.schema = schema;
            return this;
        }

        /** {@code cosine_distance} or {@code euclidean_squared}. */
        public Builder distanceMetric(String metric) {
            this.distanceMetric = metric;
            return this;
        }

        public WriteRequest build() {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256 + 256 * (upserts.size() + patches.size()));
            try (JsonGenerator g = JSON.createGenerator(out)) {
                g.writeStartObject();
                if (!upserts.isEmpty()) {
                    if (rows) {
                        writeRows(g, "upsert_rows", upserts);
                    } else {
                        writeColumns(g, "upsert_columns", upserts);
                    }
                }
                if (!patches.isEmpty()) {
                    if (rows) {
                        writeRows(g, "patch_rows", patches);
                    } else {
                        writeColumns(g, "patch_columns", patches);
                    }
                }
                if (!deletes.isEmpty()) {
                    g.writeFieldName("deletes");
                    JsonValues.write(g, deletes);
                }
                writeFilter(g, "delete_by_filter", deleteByFilter);
                writeFilter(g, "upsert_condition", upsertCondition);
                writeFilter(g, "patch_condition", patchCondition);
                writeFilter(g, "delete_condition", deleteCondition);
                if (schema != null) {
                    g.writeFieldName("schema");
                    JsonValues.write(g, schema);
                }
                if (distanceMetric != null) {
                    g.writeStringField("distance_metric", distanceMetric);
                }
                g.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot encode a write request", e);
            }
            return new WriteRequest(out.toByteArray(), upserts.size() + patches.size() + deletes.size());
        }

        private static void writeFilter(JsonGenerator g, String field, Filter f) throws IOException {
            if (f != null) {
                g.writeFieldName(field);
                f.write(g);
            }
        }

        private static void writeRows(JsonGenerator g, String field, List<Document> docs) throws IOException {
            g.writeArrayFieldStart(field);
            for (Document d : docs) {
                g.writeStartObject();
                g.writeFieldName("id");
                JsonValues.write(g, d.id());
                for (Map.Entry<String, Object> a : d.attributes().entrySet()) {
                    g.writeFieldName(a.getKey());
                    JsonValues.write(g, a.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        }

        /**
         * The documents as columns, attributes in order of first appearance. One pass over the documents puts each
         * value in its column, then the columns are written: a batch of thousands of documents does not fit in a
         * core's cache, and walking every document once per attribute cost a cache miss per value.
         */
        private static void writeColumns(JsonGenerator g, String field, List<Document> docs) throws IOException {
            int n = docs.size();
            DocId[] ids = new DocId[n];
            Map<String, Object[]> columns = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                int row = i;
                Document d = docs.get(i);
                ids[i] = d.id();
                d.attributes().forEach((name, value) -> columns.computeIfAbsent(name, k -> new Object[n])[row] = value);
            }
            g.writeObjectFieldStart(field);
            g.writeArrayFieldStart("id");
            for (DocId id : ids) {
                JsonValues.write(g, id);
            }
            g.writeEndArray();
            for (Map.Entry<String, Object[]> column : columns.entrySet()) {
                g.writeArrayFieldStart(column.getKey());
                for (Object value : column.getValue()) {
                    JsonValues.write(g, value); // null where a document lacks the attribute
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
    }
}
