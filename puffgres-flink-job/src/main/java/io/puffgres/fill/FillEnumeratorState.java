package io.puffgres.fill;

import java.util.List;

/**
 * What a fill's enumerator checkpoints: the planning cursor, the chunks planned but not finished (assigned or not:
 * readers keep no state, so on restore each is read anew, from its start, in a new snapshot), and the count and rows
 * of the chunks finished. Immutable.
 */
public record FillEnumeratorState(PlanCursor cursor, List<Chunk> open, long chunksDone, long rowsDone) {

    public FillEnumeratorState {
        open = List.copyOf(open);
    }
}
