package io.puffgres.document;

import java.util.Locale;
import java.util.Optional;

/** How a Postgres id column becomes a turbopuffer document id (migration field {@code id.type}). */
public enum IdType {
    /** Non-negative integer → turbopuffer u64. */
    UINT,
    /** Integer column whose values must be non-negative → u64; a negative value is a per-row error. */
    INT,
    /** uuid → turbopuffer UUID id. */
    UUID,
    /** Text (at most 64 bytes UTF-8) → turbopuffer string id. */
    STRING;

    /** The migration spelling ({@code uint}, {@code int}, {@code uuid}, {@code string}). */
    public String spelling() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the migration spelling; empty when it is not one of the four. */
    public static Optional<IdType> parse(String spelling) {
        for (IdType t : values()) {
            if (t.spelling().equals(spelling)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
