package io.puffgres.membership;

import io.puffgres.event.PgIdentifiers;

/** One lexical token of the membership DSL with its 1-based position. */
record Token(Kind kind, String text, int line, int column) {

    enum Kind {
        IDENT,
        QUOTED_IDENT,
        STRING,
        INTEGER,
        DECIMAL,
        EQ,
        NOT_EQ,
        LPAREN,
        RPAREN,
        AND,
        OR,
        NOT,
        IS,
        NULL,
        TRUE,
        FALSE,
        EOF
    }

    /** How the token reads in an error message. */
    String describe() {
        return switch (kind) {
            case EOF -> "the end of the predicate";
            case STRING -> "'" + text.replace("'", "''") + "'";
            case QUOTED_IDENT -> PgIdentifiers.quote(text);
            default -> "'" + text + "'";
        };
    }
}
