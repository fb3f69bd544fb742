package io.puffgres.fill;

import io.puffgres.pipeline.MappedEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;

/**
 * The TaskManager side of a fill: reads the chunks the enumerator assigns on a fetcher thread ({@link
 * ChunkSplitReader}) and emits their rows on the task thread ({@link FillEmitter}); when a chunk's last row is emitted
 * it reports the chunk finished ({@link ChunkFinished}) and asks for another. It keeps one chunk in hand beyond the one
 * it reads, so the fetcher does not wait for the round trip to the enumerator between chunks.
 *
 * <p>It checkpoints no chunk: a chunk in progress at a restore is read again from its start, in a newer snapshot, by
 * whichever reader the enumerator gives it to (see {@link FillEnumerator}).
 */
final class FillReader
        extends SingleThreadMultiplexSourceReaderBase<
                ChunkSplitReader.FillRow, MappedEvent, ChunkSplit, ChunkProgress> {

    /** Chunks a reader asks for when it starts: the one it reads and one in hand. */
    static final int CHUNKS_IN_HAND = 2;

    private final AtomicReference<ChunkSplitReader> splitReader;
    private final FillEmitter emitter;

    /**
     * @param splitReaders makes the fetcher's split reader: Flink closes a fetcher that has run out of chunks and
     *     starts another, with a new split reader, when chunks come again
     */
    FillReader(Supplier<ChunkSplitReader> splitReaders, FillEmitter emitter, SourceReaderContext context) {
        this(new AtomicReference<>(), splitReaders, emitter, context);
    }

    private FillReader(
            AtomicReference<ChunkSplitReader> current,
            Supplier<ChunkSplitReader> splitReaders,
            FillEmitter emitter,
            SourceReaderContext context) {
        super(
                () -> {
                    ChunkSplitReader made = splitReaders.get();
                    current.set(made);
                    return made;
                },
                emitter,
                context.getConfiguration(),
                context);
        this.splitReader = current;
        this.emitter = emitter;
    }

    @Override
    public void start() {
        for (int i = 0; i < CHUNKS_IN_HAND; i++) {
            context.sendSplitRequest();
        }
    }

    @Override
    protected void onSplitFinished(Map<String, ChunkProgress> finished) {
        for (ChunkProgress progress : finished.values()) {
            Chunk chunk = progress.split.chunk();
            context.sendSourceEventToCoordinator(
                    new ChunkFinished(chunk.index(), progress.split.assignment(), progress.rows));
            context.sendSplitRequest();
        }
    }

    @Override
    protected ChunkProgress initializedState(ChunkSplit split) {
        return new ChunkProgress(split);
    }

    @Override
    protected ChunkSplit toSplitType(String splitId, ChunkProgress progress) {
        return progress.split;
    }

    /** No chunk is checkpointed here: the enumerator puts open chunks back on restore. */
    @Override
    public List<ChunkSplit> snapshotState(long checkpointId) {
        return List.of();
    }

    @Override
    public void close() throws Exception {
        ChunkSplitReader reading = splitReader.get();
        if (reading != null) {
            reading.cancel();
        }
        try {
            super.close();
        } finally {
            emitter.close();
        }
    }
}
