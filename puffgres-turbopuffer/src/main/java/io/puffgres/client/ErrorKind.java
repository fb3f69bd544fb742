package io.puffgres.client;

/**
 * What a failed turbopuffer call means for the caller. {@link ErrorPolicy} is the one place that decides it.
 */
public enum ErrorKind {
    /** Connection errors, timeouts, 408, 409, 429, 5xx: retry with backoff. */
    TRANSIENT,
    /** 400, 413, 422 and other 4xx: the request itself is wrong; retrying cannot help. */
    PERMANENT,
    /** 404: the namespace does not exist (normal for a query before the first write). */
    NOT_FOUND,
    /** 401, 403: the API key is missing, wrong or not allowed; stop and fix the configuration. */
    AUTH
}
