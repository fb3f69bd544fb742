package io.puffgres.fill;

/** A reader's progress through one chunk: the rows emitted so far. Task thread only. */
final class ChunkProgress {

    final ChunkSplit split;
    long rows;

    ChunkProgress(ChunkSplit split) {
        this.split = split;
    }
}
