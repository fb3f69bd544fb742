package io.puffgres.transform;

import java.util.List;

/**
 * Turns texts into embedding vectors for {@code ctx.embed}. Implementations retry transient failures
 * themselves and throw {@link EmbeddingException} when they give up. Must be thread-safe.
 */
public interface Embedder {

    /** One vector per text, in order. */
    List<float[]> embed(List<String> texts);

    /** A {@link TransformContext} whose {@code embed} uses this embedder. */
    default TransformContext asContext() {
        return text -> embed(List.of(text)).get(0);
    }
}
