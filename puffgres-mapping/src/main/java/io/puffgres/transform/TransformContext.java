package io.puffgres.transform;

/**
 * The only way out of a transform: host services such as embeddings, which the host implements, retries and
 * fakes in tests. Calls are synchronous from the transform's point of view.
 */
public interface TransformContext {

    /** The embedding of {@code text} from the configured embeddings provider. */
    float[] embed(String text);
}
