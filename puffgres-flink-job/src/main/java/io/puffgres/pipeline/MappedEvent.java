package io.puffgres.pipeline;

import io.puffgres.event.RowEvent;
import java.util.Objects;

/**
 * A change routed to one mapping ({@link Router}): what to do with which document id. Immutable.
 *
 * @param id the document id in text form ({@link io.puffgres.document.DocId#toString()}); the key of the
 *     mapping's keyed stream. For {@link Kind#TRUNCATE}, a key that reaches one writer subtask (each gets one).
 * @param kind {@link Kind#CHANGE}: decide membership on {@code event.after()} and transform it; {@link
 *     Kind#DELETE}: delete {@code id}; {@link Kind#TRUNCATE}: delete the mapping's documents older than the event
 */
public record MappedEvent(String id, Kind kind, RowEvent event) {

    public enum Kind {
        CHANGE,
        DELETE,
        TRUNCATE
    }

    public MappedEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(event, "event");
    }

    public MappedEvent withKind(Kind newKind) {
        return new MappedEvent(id, newKind, event);
    }

    public MappedEvent withEvent(RowEvent newEvent) {
        return new MappedEvent(id, kind, newEvent);
    }
}
