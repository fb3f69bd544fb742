package io.puffgres.verify;

import io.puffgres.document.DocId;
import io.puffgres.document.IdType;
import io.puffgres.event.PgIdentifiers;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.UUID;

/**
 * The order turbopuffer ranks ids in ({@code rank_by ["id", "asc"]}), and the SQL {@code ORDER BY} that gives rows
 * in the same order, so Postgres rows and turbopuffer documents can be compared as two sorted streams: unsigned
 * numbers; UUIDs by their bytes (= their lower-case text); strings by their UTF-8 bytes ({@code COLLATE "C"}).
 */
final class DocIdOrder {

    static final Comparator<DocId> ORDER = DocIdOrder::compare;

    private DocIdOrder() {}

    private static int compare(DocId a, DocId b) {
        if (a instanceof DocId.Uint x && b instanceof DocId.Uint y) {
            return Long.compareUnsigned(x.value(), y.value());
        }
        if (a instanceof DocId.Uuid x && b instanceof DocId.Uuid y) {
            return x.value().toString().compareTo(y.value().toString());
        }
        if (a instanceof DocId.Str x && b instanceof DocId.Str y) {
            return Arrays.compareUnsigned(
                    x.value().getBytes(StandardCharsets.UTF_8), y.value().getBytes(StandardCharsets.UTF_8));
        }
        throw new IllegalArgumentException("cannot order ids of different types: " + a + " and " + b);
    }

    /** The {@code ORDER BY} expression for id column {@code column} of type {@code type}. */
    static String orderBy(String column, IdType type) {
        String quoted = PgIdentifiers.quote(column);
        return switch (type) {
            case UINT, INT -> quoted;
            case UUID -> quoted + "::uuid";
            case STRING -> quoted + "::text COLLATE \"C\"";
        };
    }

    /**
     * The id of a document as turbopuffer returned it (a JSON number or string).
     *
     * @throws IllegalStateException when it is not an id of {@code type}
     */
    static DocId fromJson(Object id, IdType type, String namespace) {
        try {
            return switch (type) {
                case UINT, INT ->
                    new DocId.Uint(
                            id instanceof BigInteger big ? big.longValue() : Long.parseLong(((Number) id).toString()));
                case UUID -> new DocId.Uuid(UUID.fromString((String) id));
                case STRING -> new DocId.Str((String) id);
            };
        } catch (RuntimeException e) {
            throw new IllegalStateException("namespace " + namespace + " holds the id " + id + ", which is not a "
                    + type.spelling() + " id as the mapping declares");
        }
    }
}
