package io.puffgres.transform;

import java.util.Locale;

/**
 * Why one change could not be applied: the {@code error_kind} of its DLQ entry, as {@link #word()}. Every kind the
 * code produces is here, and docs/job.md lists exactly these (a test compares them).
 */
public enum FailureKind {
    /** The transform threw, or returned something that is no document. */
    TRANSFORM,
    /** {@code ctx.embed} failed. */
    EMBED,
    /** A JavaScript transform's call ran longer than its time limit and was stopped. */
    TIMEOUT,
    /** A JavaScript transform's call allocated more than its limit and was stopped. */
    MEMORY,
    /** A value cannot become its attribute's turbopuffer type. */
    TYPE,
    /** A column the mapping lists is missing from the row. */
    ATTRIBUTE,
    /** The row's id cannot be a turbopuffer id (NULL, negative, too long, missing from a DELETE's old row). */
    ID,
    /** The {@code dsl} membership predicate does not bind to the row's column types. */
    MEMBERSHIP,
    /** turbopuffer rejected the write (400, 422). */
    REJECTED,
    /** {@code puffgres dlq retry} only: the entry's mapping is gone from the project, or its table is not found. */
    MAPPING,
    /** {@code puffgres dlq retry} only: the stored change cannot be read, or cannot be retried (a TRUNCATE). */
    EVENT;

    /** The stable lower-case word stored in the DLQ's {@code error_kind} and shown by the CLI. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The kind {@code word} names ({@link Action.Error#kind()}, which a Java transform may set to any text), or
     * {@link #TRANSFORM} for a word that names none: whatever else a transform reports is the transform's failure.
     */
    public static FailureKind of(String word) {
        for (FailureKind k : values()) {
            if (k.word().equals(word)) {
                return k;
            }
        }
        return TRANSFORM;
    }

    @Override
    public String toString() {
        return word();
    }
}
