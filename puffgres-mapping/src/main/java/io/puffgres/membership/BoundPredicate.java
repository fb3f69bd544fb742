package io.puffgres.membership;

import io.puffgres.event.Row;

/**
 * A predicate checked against column types, with literals already coerced; evaluates rows with SQL
 * semantics. Immutable and thread-safe.
 */
public final class BoundPredicate {

    /** Evaluates one bound node against a row. */
    @FunctionalInterface
    interface Node {
        Tri eval(Row row);
    }

    private final Predicate predicate;
    private final Node root;

    BoundPredicate(Predicate predicate, Node root) {
        this.predicate = predicate;
        this.root = root;
    }

    /**
     * The predicate's value for {@code row}.
     *
     * @throws IllegalArgumentException if the row lacks a column the predicate reads (the caller must select
     *     every predicate column)
     */
    public Tri test(Row row) {
        return root.eval(row);
    }

    /** Whether {@code row} is a member: the predicate is TRUE (not FALSE, not UNKNOWN). */
    public boolean matches(Row row) {
        return root.eval(row) == Tri.TRUE;
    }

    public Predicate predicate() {
        return predicate;
    }
}
