package io.puffgres.client;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.List;

/**
 * A turbopuffer filter ({@code ["attr","Eq",v]}, {@code ["And",[…]]}, …) for queries, delete_by_filter and
 * conditional writes. Values are JSON-ready ({@link String}, numbers, {@link Boolean}, null, lists) or {@link
 * #refNew(String)}. Immutable.
 */
public abstract sealed class Filter {

    /** {@code {"$ref_new": "attr"}}: the incoming document's value of {@code attr}, in write conditions. */
    public record RefNew(String attribute) {}

    public static RefNew refNew(String attribute) {
        return new RefNew(attribute);
    }

    public static Filter eq(String attribute, Object value) {
        return new Op(attribute, "Eq", value);
    }

    public static Filter notEq(String attribute, Object value) {
        return new Op(attribute, "NotEq", value);
    }

    public static Filter in(String attribute, List<?> values) {
        return new Op(attribute, "In", values);
    }

    public static Filter lt(String attribute, Object value) {
        return new Op(attribute, "Lt", value);
    }

    public static Filter lte(String attribute, Object value) {
        return new Op(attribute, "Lte", value);
    }

    public static Filter gt(String attribute, Object value) {
        return new Op(attribute, "Gt", value);
    }

    public static Filter gte(String attribute, Object value) {
        return new Op(attribute, "Gte", value);
    }

    public static Filter contains(String attribute, Object value) {
        return new Op(attribute, "Contains", value);
    }

    /** Any other operator of the grammar, by name (e.g. {@code Glob}, {@code ContainsAllTokens}). */
    public static Filter op(String attribute, String operator, Object value) {
        return new Op(attribute, operator, value);
    }

    public static Filter and(Filter... filters) {
        return new Logic("And", List.of(filters));
    }

    public static Filter or(Filter... filters) {
        return new Logic("Or", List.of(filters));
    }

    public static Filter not(Filter filter) {
        return new Not(filter);
    }

    abstract void write(JsonGenerator g) throws IOException;

    static final class Op extends Filter {
        private final String attribute;
        private final String operator;
        private final Object value;

        Op(String attribute, String operator, Object value) {
            this.attribute = attribute;
            this.operator = operator;
            this.value = value;
        }

        @Override
        void write(JsonGenerator g) throws IOException {
            g.writeStartArray();
            g.writeString(attribute);
            g.writeString(operator);
            JsonValues.write(g, value);
            g.writeEndArray();
        }
    }

    static final class Logic extends Filter {
        private final String operator;
        private final List<Filter> parts;

        Logic(String operator, List<Filter> parts) {
            this.operator = operator;
            this.parts = parts;
        }

        @Override
        void write(JsonGenerator g) throws IOException {
            g.writeStartArray();
            g.writeString(operator);
            g.writeStartArray();
            for (Filter f : parts) {
                f.write(g);
            }
            g.writeEndArray();
            g.writeEndArray();
        }
    }

    static final class Not extends Filter {
        private final Filter inner;

        Not(Filter inner) {
            this.inner = inner;
        }

        @Override
        void write(JsonGenerator g) throws IOException {
            g.writeStartArray();
            g.writeString("Not");
            inner.write(g);
            g.writeEndArray();
        }
    }
}
