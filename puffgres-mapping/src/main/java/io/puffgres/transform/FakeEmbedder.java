package io.puffgres.transform;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic embedder for tests and offline development: the same text always gives the same unit
 * vector, different texts almost surely different ones. No network. Thread-safe.
 */
public final class FakeEmbedder implements Embedder {

    private final int dimensions;

    public FakeEmbedder(int dimensions) {
        if (dimensions < 1) {
            throw new IllegalArgumentException("dimensions must be >= 1 (got " + dimensions + ")");
        }
        this.dimensions = dimensions;
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        return texts.stream().map(this::vector).toList();
    }

    private float[] vector(String text) {
        SplittableRandom random = new SplittableRandom(seed(text));
        float[] v = new float[dimensions];
        double norm = 0;
        for (int i = 0; i < dimensions; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
            norm += v[i] * v[i];
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dimensions; i++) {
            v[i] *= scale;
        }
        return v;
    }

    private static long seed(String text) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            long seed = 0;
            for (int i = 0; i < 8; i++) {
                seed = (seed << 8) | (h[i] & 0xff);
            }
            return seed;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
