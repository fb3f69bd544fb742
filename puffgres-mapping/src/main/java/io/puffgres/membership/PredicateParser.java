package io.puffgres.membership;

import io.puffgres.membership.Token.Kind;
import java.util.List;

/**
 * Parses the membership DSL: {@code =}, {@code !=}/{@code <>}, {@code IS [NOT] NULL}, {@code AND}, {@code OR},
 * {@code NOT}, parentheses; literals {@code 'string'}, integers, decimals, {@code TRUE}/{@code FALSE},
 * {@code NULL}. Precedence as in SQL: NOT binds tighter than AND, AND tighter than OR. Each comparison has one
 * column and one literal. Stateless and thread-safe.
 */
public final class PredicateParser {

    private final List<Token> tokens;
    private int pos;

    private PredicateParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    /** Parses {@code text} or throws with the position of the first problem. */
    public static Predicate parse(String text) throws PredicateSyntaxException {
        PredicateParser parser = new PredicateParser(PredicateLexer.tokenize(text));
        if (parser.peek().kind() == Kind.EOF) {
            Token t = parser.peek();
            throw new PredicateSyntaxException(t.line(), t.column(), "the predicate is empty");
        }
        Expr root = parser.or();
        Token rest = parser.peek();
        if (rest.kind() != Kind.EOF) {
            throw error(rest, "expected AND, OR or the end of the predicate but found " + rest.describe());
        }
        return new Predicate(text, root);
    }

    private Expr or() throws PredicateSyntaxException {
        Expr left = and();
        while (peek().kind() == Kind.OR) {
            pos++;
            left = new Expr.Or(left, and());
        }
        return left;
    }

    private Expr and() throws PredicateSyntaxException {
        Expr left = not();
        while (peek().kind() == Kind.AND) {
            pos++;
            left = new Expr.And(left, not());
        }
        return left;
    }

    private Expr not() throws PredicateSyntaxException {
        if (peek().kind() == Kind.NOT) {
            pos++;
            return new Expr.Not(not());
        }
        return primary();
    }

    private Expr primary() throws PredicateSyntaxException {
        Token t = peek();
        if (t.kind() == Kind.LPAREN) {
            pos++;
            Expr inner = or();
            Token close = peek();
            if (close.kind() != Kind.RPAREN) {
                throw error(
                        close,
                        "expected ')' to close '(' at " + t.line() + ":" + t.column() + " but found "
                                + close.describe());
            }
            pos++;
            return inner;
        }
        return comparison();
    }

    private Expr comparison() throws PredicateSyntaxException {
        Token first = next();
        boolean firstIsColumn = isColumn(first);
        if (!firstIsColumn && !isLiteral(first)) {
            throw error(first, "expected a column or a literal but found " + first.describe());
        }
        Token op = next();
        if (op.kind() == Kind.IS) {
            if (!firstIsColumn) {
                throw error(first, "IS NULL needs a column on its left but found " + first.describe());
            }
            boolean negated = false;
            if (peek().kind() == Kind.NOT) {
                pos++;
                negated = true;
            }
            Token nul = next();
            if (nul.kind() != Kind.NULL) {
                throw error(
                        nul, "expected NULL after '" + (negated ? "IS NOT" : "IS") + "' but found " + nul.describe());
            }
            return new Expr.IsNull(first.text(), negated);
        }
        if (op.kind() != Kind.EQ && op.kind() != Kind.NOT_EQ) {
            String what = firstIsColumn ? "column " + first.describe() : "literal " + first.describe();
            throw error(op, "expected '=', '!=', '<>' or IS after " + what + " but found " + op.describe());
        }
        Token second = next();
        if (firstIsColumn) {
            if (isColumn(second)) {
                throw error(second, "comparing two columns is not supported; compare a column with a literal");
            }
            if (!isLiteral(second)) {
                throw error(second, "expected a literal after '" + op.text() + "' but found " + second.describe());
            }
            return new Expr.Comparison(
                    first.text(), op.kind() == Kind.NOT_EQ, literal(second), false, first.line(), first.column());
        }
        if (!isColumn(second)) {
            String found = isLiteral(second) ? "another literal " + second.describe() : second.describe();
            throw error(second, "expected a column after '" + op.text() + "' but found " + found);
        }
        return new Expr.Comparison(
                second.text(), op.kind() == Kind.NOT_EQ, literal(first), true, first.line(), first.column());
    }

    private static boolean isColumn(Token t) {
        return t.kind() == Kind.IDENT || t.kind() == Kind.QUOTED_IDENT;
    }

    private static boolean isLiteral(Token t) {
        return switch (t.kind()) {
            case STRING, INTEGER, DECIMAL, TRUE, FALSE, NULL -> true;
            default -> false;
        };
    }

    private static Literal literal(Token t) {
        return switch (t.kind()) {
            case STRING -> new Literal.Str(t.text());
            case INTEGER -> new Literal.Int(t.text());
            case DECIMAL -> new Literal.Dec(t.text());
            case TRUE -> new Literal.Bool(true);
            case FALSE -> new Literal.Bool(false);
            case NULL -> new Literal.Null();
            default -> throw new IllegalArgumentException("not a literal: " + t);
        };
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (t.kind() != Kind.EOF) {
            pos++;
        }
        return t;
    }

    private static PredicateSyntaxException error(Token at, String message) {
        return new PredicateSyntaxException(at.line(), at.column(), message);
    }
}
