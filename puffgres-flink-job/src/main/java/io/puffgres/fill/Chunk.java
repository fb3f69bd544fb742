package io.puffgres.fill;

import java.io.Serializable;
import java.util.List;

/**
 * One piece of a fill's work: a key range of the table (the rows whose key is at or after {@code lower} and before
 * {@code upper}); the rows whose (nullable) key is NULL, which no range holds; or a page of the namespace's document
 * ids to sweep, each checked for a member row (docs/job.md, "The sweep"). Bounds are the key columns' values in
 * Postgres text form, in key order, so a chunk serializes as strings and binds as {@code ?::type}. Immutable.
 *
 * @param index the chunk's place in the fill, from 0: ranges in key order, the NULL-key chunk, then sweep pages
 * @param kind what the chunk reads
 * @param lower a range's inclusive lower bound; empty: from the start (and for the other kinds)
 * @param upper a range's exclusive upper bound; empty: to the end (and for the other kinds)
 * @param ids a sweep page's document ids in text form, in the namespace's order (empty for the other kinds, and for
 *     the one page of an empty namespace)
 */
public record Chunk(int index, Kind kind, List<String> lower, List<String> upper, List<String> ids)
        implements Serializable {

    /** What a chunk reads. */
    public enum Kind {
        RANGE,
        NULL_KEYS,
        SWEEP
    }

    public Chunk {
        lower = List.copyOf(lower);
        upper = List.copyOf(upper);
        ids = List.copyOf(ids);
        if (kind != Kind.RANGE && !(lower.isEmpty() && upper.isEmpty())) {
            throw new IllegalArgumentException("only a range chunk has bounds");
        }
        if (kind != Kind.SWEEP && !ids.isEmpty()) {
            throw new IllegalArgumentException("only a sweep page has ids");
        }
    }

    /** A range chunk. */
    public static Chunk range(int index, List<String> lower, List<String> upper) {
        return new Chunk(index, Kind.RANGE, lower, upper, List.of());
    }

    /** The chunk of the rows whose key is NULL. */
    public static Chunk ofNullKeys(int index) {
        return new Chunk(index, Kind.NULL_KEYS, List.of(), List.of(), List.of());
    }

    /** A page of the namespace's document ids to sweep. */
    public static Chunk sweep(int index, List<String> ids) {
        return new Chunk(index, Kind.SWEEP, List.of(), List.of(), ids);
    }

    /** Whether this is the chunk of NULL keys. */
    public boolean nullKeys() {
        return kind == Kind.NULL_KEYS;
    }

    /**
     * For logs and the ledger: {@code #3 [100, 200)}, {@code #4 [200, end)}, {@code #5 key IS NULL}, {@code #6 sweep
     * of 1000 ids [1, 1000]}.
     */
    @Override
    public String toString() {
        return switch (kind) {
            case NULL_KEYS -> "#" + index + " key IS NULL";
            case SWEEP ->
                "#" + index + " sweep of "
                        + (ids.isEmpty()
                                ? "no ids"
                                : ids.size() + " ids [" + ids.get(0) + ", " + ids.get(ids.size() - 1) + "]");
            case RANGE ->
                "#" + index + " [" + (lower.isEmpty() ? "start" : bound(lower)) + ", "
                        + (upper.isEmpty() ? "end" : bound(upper)) + ")";
        };
    }

    /** A bound as text: the value of a one-column key, {@code (a, b)} of a composite one. */
    static String bound(List<String> values) {
        return values.size() == 1 ? values.get(0) : "(" + String.join(", ", values) + ")";
    }
}
