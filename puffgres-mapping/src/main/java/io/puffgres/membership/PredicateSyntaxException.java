package io.puffgres.membership;

/** A membership predicate that does not parse; the message starts with {@code line:column:} (1-based). */
public final class PredicateSyntaxException extends Exception {

    private final int line;
    private final int column;

    public PredicateSyntaxException(int line, int column, String message) {
        super(line + ":" + column + ": " + message);
        this.line = line;
        this.column = column;
    }

    /** 1-based line in the predicate text. */
    public int line() {
        return line;
    }

    /** 1-based column in the predicate text. */
    public int column() {
        return column;
    }
}
