package io.puffgres.client;

/**
 * A turbopuffer call that failed for good: after retries for transient errors, at once for the others. The message
 * names the operation, namespace and status, carries the server's message, and never the API key.
 */
public final class TurbopufferException extends RuntimeException {

    private final ErrorKind kind;
    private final int status;
    private final String serverMessage;

    public TurbopufferException(ErrorKind kind, int status, String message, String serverMessage, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.serverMessage = serverMessage;
    }

    public ErrorKind kind() {
        return kind;
    }

    /** The HTTP status, or 0 for a connection failure. */
    public int status() {
        return status;
    }

    /** turbopuffer's own error text ({@code error} of the JSON body, or the plain-text body). */
    public String serverMessage() {
        return serverMessage;
    }
}
