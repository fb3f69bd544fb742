package io.puffgres.event;

/** The kind of change a {@link RowEvent} carries. */
public enum Op {
    /** A row read by a snapshot or backfill; treated like an insert. */
    READ,
    INSERT,
    UPDATE,
    DELETE,
    /** The relation was truncated; the event has no row images. */
    TRUNCATE
}
