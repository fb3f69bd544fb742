package io.puffgres.event;

/**
 * pgvector's {@code vector} in its text form, {@code [1,2.5,3]}, as {@link Row} holds it: a {@code float[]}. Both
 * the CDC source (Debezium sends a vector as text) and a lookup's JDBC read parse it here.
 */
public final class PgVector {

    private PgVector() {}

    /**
     * The values of {@code text}, pgvector's text form.
     *
     * @throws NumberFormatException when an element is not a number
     */
    public static float[] parse(String text) {
        String body = text.strip();
        body = body.substring(1, body.length() - 1);
        if (body.isBlank()) {
            return new float[0];
        }
        String[] parts = body.split(",");
        float[] v = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = Float.parseFloat(parts[i].strip());
        }
        return v;
    }
}
