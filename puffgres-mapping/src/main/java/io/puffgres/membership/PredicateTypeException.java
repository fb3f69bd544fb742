package io.puffgres.membership;

import java.util.List;

/**
 * A predicate that parses but does not fit the relation's column types: an unknown column, an operator
 * PostgreSQL does not have ({@code text = integer}), or a literal the column type does not accept.
 */
public final class PredicateTypeException extends Exception {

    private final List<String> problems;

    public PredicateTypeException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem, one message each, in predicate order. */
    public List<String> problems() {
        return problems;
    }
}
