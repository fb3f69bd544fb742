package io.puffgres.fill;

import java.io.Serializable;
import java.util.List;

/**
 * One key range of a fill: the rows whose key is at or after {@code lower} and before {@code upper}, or, for the one
 * chunk with {@code nullKeys}, the rows whose (nullable) key is NULL, which no range holds. Bounds are the key columns'
 * values in Postgres text form, in key order, so a chunk serializes as strings and binds as {@code ?::type}. Immutable.
 *
 * @param index the chunk's place in the fill, from 0 in key order (the NULL-key chunk last)
 * @param lower the inclusive lower bound; empty: from the start
 * @param upper the exclusive upper bound; empty: to the end
 * @param nullKeys the chunk of the rows whose key is NULL (bounds then empty)
 */
public record Chunk(int index, List<String> lower, List<String> upper, boolean nullKeys) implements Serializable {

    public Chunk {
        lower = List.copyOf(lower);
        upper = List.copyOf(upper);
        if (nullKeys && !(lower.isEmpty() && upper.isEmpty())) {
            throw new IllegalArgumentException("the NULL-key chunk has no bounds");
        }
    }

    /** A range chunk. */
    public static Chunk range(int index, List<String> lower, List<String> upper) {
        return new Chunk(index, lower, upper, false);
    }

    /** The chunk of the rows whose key is NULL. */
    public static Chunk ofNullKeys(int index) {
        return new Chunk(index, List.of(), List.of(), true);
    }

    /** For logs and the ledger: {@code #3 [100, 200)}, {@code #4 [200, end)}, {@code #5 key IS NULL}. */
    @Override
    public String toString() {
        if (nullKeys) {
            return "#" + index + " key IS NULL";
        }
        return "#" + index + " [" + (lower.isEmpty() ? "start" : bound(lower)) + ", "
                + (upper.isEmpty() ? "end" : bound(upper)) + ")";
    }

    /** A bound as text: the value of a one-column key, {@code (a, b)} of a composite one. */
    static String bound(List<String> values) {
        return values.size() == 1 ? values.get(0) : "(" + String.join(", ", values) + ")";
    }
}
