package io.puffgres.pipeline;

import io.puffgres.event.RowEvent;
import io.puffgres.event.Snapshot;
import java.util.Objects;

/**
 * A change routed to one mapping ({@link Router}): what to do with which document id. Immutable.
 *
 * @param id the document id in text form ({@link io.puffgres.document.DocId#toString()}); the key of the
 *     mapping's keyed stream. For {@link Kind#TRUNCATE}, a key that reaches one writer subtask (each gets one).
 * @param kind {@link Kind#CHANGE}: decide membership on {@code event.after()} and transform it; {@link
 *     Kind#DELETE}: delete {@code id}; {@link Kind#TRUNCATE}: delete the mapping's documents older than the event
 * @param fill for a row a fill read (not a streamed change): the snapshot it was read in, which orders it against
 *     the stream (docs/job.md, "Filling a namespace"); null for a streamed change. A fill's {@link Kind#DELETE} is a
 *     sweep's finding that the id has no member row in that snapshot ({@link #absent}): ordered by the same rules
 */
public record MappedEvent(String id, Kind kind, RowEvent event, Snapshot fill) {

    public enum Kind {
        CHANGE,
        DELETE,
        TRUNCATE
    }

    public MappedEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(event, "event");
        if (fill != null && kind == Kind.TRUNCATE) {
            throw new IllegalArgumentException("a fill row is no TRUNCATE");
        }
    }

    /** A streamed change. */
    public MappedEvent(String id, Kind kind, RowEvent event) {
        this(id, kind, event, null);
    }

    /** A row a fill read in {@code snapshot}. */
    public static MappedEvent filled(String id, RowEvent row, Snapshot snapshot) {
        return new MappedEvent(id, Kind.CHANGE, row, Objects.requireNonNull(snapshot, "snapshot"));
    }

    /**
     * The id has no member row in {@code snapshot}, as a fill's sweep found ({@code event}: a DELETE of the id's row
     * as that snapshot reads it): applied as a delete where a fill row of that snapshot would be applied.
     */
    public static MappedEvent absent(String id, RowEvent event, Snapshot snapshot) {
        return new MappedEvent(id, Kind.DELETE, event, Objects.requireNonNull(snapshot, "snapshot"));
    }

    /** Whether a fill read this row (rather than the stream delivering a change). */
    public boolean isFill() {
        return fill != null;
    }

    public MappedEvent withKind(Kind newKind) {
        return new MappedEvent(id, newKind, event, fill);
    }

    public MappedEvent withEvent(RowEvent newEvent) {
        return new MappedEvent(id, kind, newEvent, fill);
    }
}
