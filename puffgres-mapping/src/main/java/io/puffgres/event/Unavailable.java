package io.puffgres.event;

/**
 * A value the change did not carry: Postgres leaves an unchanged out-of-line (TOASTed) value out of the WAL of an
 * UPDATE, and the CDC source puts this marker in its place in the {@link Row}. The lookup stage reads such a row's
 * current values by id before membership, the transform or the writer see it, so only the stages before the lookup
 * (and a change stored in the DLQ before it) meet the marker; they ask {@link Row#isUnavailable(String)} or {@link
 * Row#hasUnavailable()}. One instance, compared by identity.
 */
public final class Unavailable {

    /** The marker. */
    public static final Unavailable VALUE = new Unavailable();

    /**
     * The marker as text: Debezium's placeholder in a change, and how a change stored in the DLQ writes it (the same
     * text, so entries stored before the marker had a type of its own read back the same).
     */
    public static final String TEXT = "__debezium_unavailable_value";

    private Unavailable() {}

    /** Whether {@code value}, a value of a {@link Row}, is the marker. */
    public static boolean is(Object value) {
        return value == VALUE;
    }

    @Override
    public String toString() {
        return TEXT;
    }
}
