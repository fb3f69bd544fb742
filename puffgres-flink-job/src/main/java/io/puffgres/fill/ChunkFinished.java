package io.puffgres.fill;

import org.apache.flink.api.connector.source.SourceEvent;

/**
 * A reader's report to the enumerator that it emitted the last row of a chunk. Sent after that row, so the row
 * precedes the reader's next checkpoint barrier: a chunk the enumerator counts as finished in a checkpoint is
 * written once that checkpoint completes (the writers drain before every barrier).
 *
 * @param index the chunk's index
 * @param assignment the assignment the rows were read under ({@link ChunkSplit#assignment()})
 * @param rows the rows emitted
 */
public record ChunkFinished(int index, long assignment, long rows) implements SourceEvent {}
