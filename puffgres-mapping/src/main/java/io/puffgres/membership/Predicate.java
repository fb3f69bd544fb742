package io.puffgres.membership;

import io.puffgres.event.PgType;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A parsed membership predicate. Immutable and thread-safe. {@link #bind} checks it against the relation's
 * column types (as PostgreSQL does when planning) and gives an evaluator; {@link #toSql()} gives the same
 * condition as a SQL {@code WHERE} fragment for backfill pushdown.
 */
public final class Predicate {

    private final String text;
    private final Expr root;
    private final Set<String> columns;

    Predicate(String text, Expr root) {
        this.text = text;
        this.root = root;
        Set<String> cols = new LinkedHashSet<>();
        root.collectColumns(cols);
        this.columns = Collections.unmodifiableSet(cols);
    }

    /** The text as written in the migration. */
    public String text() {
        return text;
    }

    /** The syntax tree. */
    public Expr root() {
        return root;
    }

    /** Columns the predicate reads; unquoted names folded to lower case, quoted names as written. */
    public Set<String> columns() {
        return columns;
    }

    /** A fully parenthesised SQL boolean expression with quoted identifiers and escaped literals. */
    public String toSql() {
        return root.toSql();
    }

    /**
     * Type-checks against {@code columnTypes} and coerces literals to the column types.
     *
     * @throws PredicateTypeException listing every problem (unknown column, no such operator, bad literal)
     */
    public BoundPredicate bind(Map<String, PgType> columnTypes) throws PredicateTypeException {
        return PredicateBinder.bind(this, columnTypes);
    }

    @Override
    public String toString() {
        return text;
    }
}
