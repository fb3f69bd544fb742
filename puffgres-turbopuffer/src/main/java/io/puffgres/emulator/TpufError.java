package io.puffgres.emulator;

/**
 * An error answer of the emulated API: HTTP status plus turbopuffer's message text. {@code plainText} answers are
 * sent as text/plain (URL-level namespace name errors), the rest as {@code {"status":"error","error":…}}.
 */
final class TpufError extends RuntimeException {

    final int status;
    final boolean plainText;
    final String attribute;

    TpufError(int status, String message) {
        this(status, message, false, null);
    }

    TpufError(int status, String message, boolean plainText, String attribute) {
        super(message, null, false, false);
        this.status = status;
        this.plainText = plainText;
        this.attribute = attribute;
    }

    static TpufError badRequest(String message) {
        return new TpufError(400, message);
    }

    /** A JSON shape problem, as turbopuffer's deserializer reports it. */
    static TpufError unprocessable(String path, String message) {
        return new TpufError(422, "Failed to deserialize the JSON body into the target type: " + path + ": " + message);
    }

    static TpufError notFound(String namespace) {
        return new TpufError(404, "🤷 namespace '" + namespace + "' was not found");
    }
}
