package io.puffgres.fill;

import org.apache.flink.api.connector.source.SourceSplit;

/**
 * A chunk assigned to a reader. The assignment number tells this assignment from an earlier one of the same chunk
 * (a chunk given back after its reader restarted is assigned anew), so a late report of an old assignment is not taken
 * for the new one's. Immutable.
 */
public record ChunkSplit(Chunk chunk, long assignment) implements SourceSplit {

    @Override
    public String splitId() {
        return "chunk-" + chunk.index();
    }

    @Override
    public String toString() {
        return "chunk " + chunk + " (assignment " + assignment + ")";
    }
}
