package io.puffgres.fill;

/**
 * A mapping's table cannot be filled as it stands (no key to split it by, a missing relation or column), or its
 * namespace cannot be swept (an id not of the mapping's type). The message names the mapping and the table or
 * namespace and says how to fix it; retrying does not help until the fix is made.
 */
public final class FillTableException extends Exception {

    private static final long serialVersionUID = 1L;

    public FillTableException(String message) {
        super(message);
    }
}
