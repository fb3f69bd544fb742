package io.puffgres.membership;

/** SQL three-valued logic. A row is a member only when its predicate is {@link #TRUE}. */
public enum Tri {
    TRUE,
    FALSE,
    UNKNOWN;

    static Tri of(boolean b) {
        return b ? TRUE : FALSE;
    }

    Tri and(Tri other) {
        if (this == FALSE || other == FALSE) {
            return FALSE;
        }
        return this == TRUE && other == TRUE ? TRUE : UNKNOWN;
    }

    Tri or(Tri other) {
        if (this == TRUE || other == TRUE) {
            return TRUE;
        }
        return this == FALSE && other == FALSE ? FALSE : UNKNOWN;
    }

    Tri not() {
        return switch (this) {
            case TRUE -> FALSE;
            case FALSE -> TRUE;
            case UNKNOWN -> UNKNOWN;
        };
    }

    /** {@code null} for UNKNOWN, as JDBC reports a NULL boolean. */
    public Boolean toBoolean() {
        return this == UNKNOWN ? null : this == TRUE;
    }
}
