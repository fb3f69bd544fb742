package io.puffgres.poll;

/**
 * A wal2json change the poll source cannot turn into a row event: malformed JSON, an unknown action, a change outside
 * a transaction. The message names the LSN and what was wrong. Retrying the same WAL fails the same way, so it is a
 * bug to report (with the message) rather than a condition to wait out.
 */
public final class Wal2JsonException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public Wal2JsonException(String message) {
        super(message);
    }

    public Wal2JsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
