package io.puffgres.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One write request ({@code POST /v2/namespaces/:ns}), encoded once when built, so {@link #encodedSize()} is known
 * before sending (to respect {@code batch_max_bytes}): Jackson's streaming generator writes the request, and the
 * documents' bytes come from their {@link EncodedDocument}s. Upserts and patches go as {@code upsert_columns}/{@code
 * patch_columns} by default (the union of the documents' attributes, null where a document lacks one), or as {@code
 * upsert_rows}/{@code patch_rows}. Immutable.
 */
public final class WriteRequest {

    /** Schubfach instead of {@code Double.toString} for floats: the same doubles, several times faster to write. */
    static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .build();

    private static final byte[] ID_FIELD = "{\"id\":".getBytes(StandardCharsets.UTF_8);
    private static final byte[] ID_COLUMN = "{\"id\":[".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NULL = "null".getBytes(StandardCharsets.UTF_8);

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
        private final List<EncodedDocument> upserts = new ArrayList<>();
        private boolean rows;
        private final List<EncodedDocument> patches = new ArrayList<>();
        private final List<DocId> deletes = new ArrayList<>();
        private Filter deleteByFilter;
        private Filter upsertCondition;
        private Filter patchCondition;
        private Filter deleteCondition;
        private Map<String, Object> schema;
        private String distanceMetric;

        public Builder upsert(Document d) {
            return upsert(EncodedDocument.of(d));
        }

        public Builder upsert(EncodedDocument d) {
            upserts.add(d);
            return this;
        }

        public Builder upsertAll(List<Document> docs) {
            docs.forEach(this::upsert);
            return this;
        }

        /** Send upserts and patches as {@code upsert_rows}/{@code patch_rows} instead of the compact columns. */
        public Builder asRows() {
            rows = true;
            return this;
        }

        public Builder patch(Document d) {
            patches.add(EncodedDocument.of(d));
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
            Bytes out = new Bytes(256 + 256 * (upserts.size() + patches.size()));
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

        private static void writeRows(JsonGenerator g, String field, List<EncodedDocument> docs) throws IOException {
            Bytes out = startRaw(g, field);
            out.write('[');
            for (int j = 0; j < docs.size(); j++) {
                EncodedDocument d = docs.get(j);
                if (j > 0) {
                    out.write(',');
                }
                out.write(ID_FIELD, 0, ID_FIELD.length);
                d.writeId(out);
                String[] names = d.names();
                for (int i = 0; i < names.length; i++) {
                    out.write(',');
                    writeName(out, names[i]);
                    d.writeValue(i, out);
                }
                out.write('}');
            }
            out.write(']');
        }

        /**
         * The documents as columns, attributes in order of first appearance, {@code null} where a document lacks
         * one. One pass over the documents notes where each attribute sits in each, then each column copies the
         * documents' encoded values.
         */
        private static void writeColumns(JsonGenerator g, String field, List<EncodedDocument> docs) throws IOException {
            int n = docs.size();
            Map<String, int[]> columns = new LinkedHashMap<>(); // attribute → its index in document j, or -1
            String[] shape = null;
            int[][] shapeColumns = null; // the columns of shape's attributes, looked up once per shape
            for (int j = 0; j < n; j++) {
                EncodedDocument d = docs.get(j);
                if (d.names() != shape) {
                    shape = d.names();
                    shapeColumns = new int[shape.length][];
                    for (int i = 0; i < shape.length; i++) {
                        shapeColumns[i] = columns.computeIfAbsent(shape[i], k -> absent(n));
                    }
                }
                for (int i = 0; i < shapeColumns.length; i++) {
                    shapeColumns[i][j] = i;
                }
            }
            Bytes out = startRaw(g, field);
            out.write(ID_COLUMN, 0, ID_COLUMN.length);
            for (int j = 0; j < n; j++) {
                if (j > 0) {
                    out.write(',');
                }
                docs.get(j).writeId(out);
            }
            out.write(']');
            for (Map.Entry<String, int[]> column : columns.entrySet()) {
                out.write(',');
                writeName(out, column.getKey());
                out.write('[');
                int[] at = column.getValue();
                for (int j = 0; j < n; j++) {
                    if (j > 0) {
                        out.write(',');
                    }
                    if (at[j] < 0) {
                        out.write(NULL, 0, NULL.length);
                    } else {
                        docs.get(j).writeValue(at[j], out);
                    }
                }
                out.write(']');
            }
            out.write('}');
        }

        private static int[] absent(int n) {
            int[] at = new int[n];
            Arrays.fill(at, -1);
            return at;
        }

        /**
         * Starts the value of {@code field} and hands over the stream under {@code g}, for the documents' bytes to
         * be copied in: the generator writes the field name and colon and takes the value as written (an empty raw
         * value), then its buffer is flushed, so what goes into the stream next follows in order.
         */
        private static Bytes startRaw(JsonGenerator g, String field) throws IOException {
            g.writeFieldName(field);
            g.writeRawValue("");
            g.flush();
            return (Bytes) g.getOutputTarget();
        }

        private static void writeName(Bytes out, String name) {
            out.write('"');
            byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(name);
            out.write(quoted, 0, quoted.length);
            out.write('"');
            out.write(':');
        }
    }
}
