package io.puffgres.pipeline;

import io.puffgres.event.RowEvent;
import java.util.List;

/**
 * What {@link Router#route} made of one change: the changes for the mapping, in the order they must be applied (an
 * UPDATE that changed the id: the old id's DELETE, then the new id's CHANGE), and the rows whose id cannot be a
 * document id.
 *
 * @param event the change as routed: only the mapping's columns, a snapshot row with the snapshot's LSN
 */
public record Routing(RowEvent event, List<MappedEvent> changes, List<Failure> failures) {

    public Routing {
        changes = List.copyOf(changes);
        failures = List.copyOf(failures);
    }
}
