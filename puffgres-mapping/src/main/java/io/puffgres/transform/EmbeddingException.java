package io.puffgres.transform;

/** An embeddings request that failed after the provider's retries; the message never contains the API key. */
public final class EmbeddingException extends RuntimeException {

    public EmbeddingException(String message) {
        super(message);
    }

    public EmbeddingException(String message, Throwable cause) {
        super(message, cause);
    }
}
