package io.puffgres.poll;

import io.puffgres.event.RowEvent;
import io.puffgres.stream.JobSpec;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.connector.base.source.reader.synchronization.FutureCompletingBlockingQueue;
import org.apache.flink.core.io.InputStatus;

/**
 * The TaskManager side of the poll source: a {@link SlotPoller} thread reads the slot into a bounded queue of batches,
 * the task emits them, and the split's position follows the last commit emitted. A checkpoint keeps that position; once
 * it completes, {@link SlotAdvancer} moves the job's slot there, so the slot never passes a change whose writes a
 * checkpoint has not acknowledged. Only the reader that got the split polls; the others stay idle.
 */
final class PollReader implements SourceReader<RowEvent, PollSplit> {

    /** Batches read ahead of the task at most (with {@link SlotPoller#BATCH_CHARS}, the memory bound). */
    static final int QUEUED_BATCHES = 4;

    private final JobSpec spec;
    private final PollSettings settings;
    private final PollFigures figures;
    private final String threadPrefix;
    private final FutureCompletingBlockingQueue<SlotPoller.Batch> queue =
            new FutureCompletingBlockingQueue<>(QUEUED_BATCHES);
    /** Positions of checkpoints taken and not yet completed, by checkpoint id. */
    private final NavigableMap<Long, Long> pending = new TreeMap<>();

    private PollSplit split;
    private long position;
    private SlotPoller poller;
    private SlotAdvancer advancer;

    PollReader(JobSpec spec, PollSettings settings, PollFigures figures, String threadPrefix) {
        this.spec = spec;
        this.settings = settings;
        this.figures = figures;
        this.threadPrefix = threadPrefix;
    }

    @Override
    public void start() {}

    @Override
    public void addSplits(List<PollSplit> splits) {
        if (split != null || splits.size() != 1) {
            throw new IllegalStateException("the poll source has one split, got " + splits + " beside " + split);
        }
        split = splits.get(0);
        position = split.position();
        advancer = new SlotAdvancer(spec, settings.slot(), figures, threadPrefix + " slot advance");
        poller = new SlotPoller(spec, settings, position, queue, figures);
        poller.start(threadPrefix);
    }

    /** How far the changes are emitted: where a checkpoint taken now would let the job's slot move. */
    long position() {
        return position;
    }

    @Override
    public InputStatus pollNext(ReaderOutput<RowEvent> output) {
        if (poller == null) {
            return InputStatus.NOTHING_AVAILABLE;
        }
        // first: a failure of the lease thread comes while the reading thread still fills the queue
        poller.failure().ifPresent(t -> {
            throw new IllegalStateException("polling slot " + settings.slot() + " failed: " + t.getMessage(), t);
        });
        SlotPoller.Batch batch = queue.poll();
        if (batch == null) {
            return InputStatus.NOTHING_AVAILABLE;
        }
        for (RowEvent event : batch.events()) {
            output.collect(event);
        }
        if (batch.position() != 0) {
            position = batch.position();
        }
        return queue.isEmpty() ? InputStatus.NOTHING_AVAILABLE : InputStatus.MORE_AVAILABLE;
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        return queue.getAvailabilityFuture();
    }

    @Override
    public List<PollSplit> snapshotState(long checkpointId) {
        if (split == null) {
            return List.of();
        }
        pending.put(checkpointId, position);
        return List.of(split.at(position));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        var done = pending.floorEntry(checkpointId);
        if (done != null && advancer != null) {
            advancer.advanceTo(done.getValue());
        }
        pending.headMap(checkpointId, true).clear();
    }

    @Override
    public void notifyNoMoreSplits() {}

    @Override
    public void close() throws Exception {
        if (poller != null) {
            poller.stop();
            advancer.dropAfterwards(settings.readingSlot());
            advancer.close();
        }
    }
}
