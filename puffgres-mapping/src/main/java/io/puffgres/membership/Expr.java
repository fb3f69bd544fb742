package io.puffgres.membership;

import io.puffgres.event.PgIdentifiers;
import java.util.Set;

/** A node of a parsed membership predicate. Immutable. */
public sealed interface Expr {

    /** Renders the node as a fully parenthesised, injection-safe SQL boolean expression. */
    String toSql();

    /** Adds the columns this node reads to {@code into}. */
    void collectColumns(Set<String> into);

    record And(Expr left, Expr right) implements Expr {
        @Override
        public String toSql() {
            return "(" + left.toSql() + " AND " + right.toSql() + ")";
        }

        @Override
        public void collectColumns(Set<String> into) {
            left.collectColumns(into);
            right.collectColumns(into);
        }
    }

    record Or(Expr left, Expr right) implements Expr {
        @Override
        public String toSql() {
            return "(" + left.toSql() + " OR " + right.toSql() + ")";
        }

        @Override
        public void collectColumns(Set<String> into) {
            left.collectColumns(into);
            right.collectColumns(into);
        }
    }

    record Not(Expr operand) implements Expr {
        @Override
        public String toSql() {
            return "(NOT " + operand.toSql() + ")";
        }

        @Override
        public void collectColumns(Set<String> into) {
            operand.collectColumns(into);
        }
    }

    /**
     * {@code column = literal} or {@code column <> literal}, in either order.
     *
     * @param literalFirst whether the text had the literal on the left (kept for error messages and SQL)
     * @param line 1-based line of the comparison in the predicate text
     * @param col 1-based column of the comparison in the predicate text
     */
    record Comparison(String column, boolean notEqual, Literal literal, boolean literalFirst, int line, int col)
            implements Expr {
        @Override
        public String toSql() {
            String op = notEqual ? " <> " : " = ";
            return literalFirst
                    ? "(" + literal.toSql() + op + PgIdentifiers.quote(column) + ")"
                    : "(" + PgIdentifiers.quote(column) + op + literal.toSql() + ")";
        }

        @Override
        public void collectColumns(Set<String> into) {
            into.add(column);
        }
    }

    /** {@code column IS NULL} or {@code column IS NOT NULL}. */
    record IsNull(String column, boolean negated) implements Expr {
        @Override
        public String toSql() {
            return "(" + PgIdentifiers.quote(column) + (negated ? " IS NOT NULL)" : " IS NULL)");
        }

        @Override
        public void collectColumns(Set<String> into) {
            into.add(column);
        }
    }
}
