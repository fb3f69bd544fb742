package io.puffgres.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** A query ({@code POST /v2/namespaces/:ns/query}): rank_by, top_k, filters, attributes, Count, consistency. */
public final class Query {

    private static final JsonFactory JSON = new JsonFactory();

    private final byte[] body;

    private Query(byte[] body) {
        this.body = body;
    }

    byte[] body() {
        return body;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How results are ordered. */
    public record RankBy(String attribute, String how, Object argument) {
        /** Attribute order, {@code asc} or {@code desc} ({@code id} for lookups by id). */
        public static RankBy attribute(String attribute, boolean ascending) {
            return new RankBy(attribute, ascending ? "asc" : "desc", null);
        }

        /** Nearest vectors first ({@code $dist} ascending). */
        public static RankBy ann(String attribute, float[] vector) {
            return new RankBy(attribute, "ANN", vector);
        }

        /** BM25 relevance of a full-text attribute ({@code $dist} = score, descending). */
        public static RankBy bm25(String attribute, String text) {
            return new RankBy(attribute, "BM25", text);
        }

        void write(JsonGenerator g) throws IOException {
            g.writeStartArray();
            g.writeString(attribute);
            g.writeString(how);
            if (argument != null) {
                JsonValues.write(g, argument);
            }
            g.writeEndArray();
        }
    }

    /** Builds a {@link Query}. Not thread-safe. */
    public static final class Builder {
        private RankBy rankBy;
        private Integer topK;
        private Filter filters;
        private Object include;
        private String countLabel;
        private String consistency;

        public Builder rankBy(RankBy r) {
            rankBy = r;
            return this;
        }

        /** 1..10,000. */
        public Builder topK(int k) {
            topK = k;
            return this;
        }

        public Builder filters(Filter f) {
            filters = f;
            return this;
        }

        public Builder includeAttributes(List<String> names) {
            include = names;
            return this;
        }

        public Builder includeAllAttributes() {
            include = Boolean.TRUE;
            return this;
        }

        /** {@code aggregate_by: {label: ["Count"]}}. */
        public Builder count(String label) {
            countLabel = label;
            return this;
        }

        /** {@code strong} (default) or {@code eventual}. */
        public Builder consistency(String level) {
            consistency = level;
            return this;
        }

        public Query build() {
            ByteArrayOutputStream out = new ByteArrayOutputStream(128);
            try (JsonGenerator g = JSON.createGenerator(out)) {
                g.writeStartObject();
                if (rankBy != null) {
                    g.writeFieldName("rank_by");
                    rankBy.write(g);
                }
                if (topK != null) {
                    g.writeNumberField("top_k", topK);
                }
                if (filters != null) {
                    g.writeFieldName("filters");
                    filters.write(g);
                }
                if (include != null) {
                    g.writeFieldName("include_attributes");
                    JsonValues.write(g, include);
                }
                if (countLabel != null) {
                    g.writeObjectFieldStart("aggregate_by");
                    g.writeArrayFieldStart(countLabel);
                    g.writeString("Count");
                    g.writeEndArray();
                    g.writeEndObject();
                }
                if (consistency != null) {
                    g.writeObjectFieldStart("consistency");
                    g.writeStringField("level", consistency);
                    g.writeEndObject();
                }
                g.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot encode a query", e);
            }
            return new Query(out.toByteArray());
        }
    }
}
