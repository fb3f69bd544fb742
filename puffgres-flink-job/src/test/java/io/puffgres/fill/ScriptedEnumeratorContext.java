package io.puffgres.fill;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * A coordinator for a {@link FillEnumerator} driven step by step: what the enumerator's threads hand to the coordinator
 * thread waits in a queue until the test runs it, so every interleaving of reports, checkpoints and restarts is the
 * test's choice. Records assignments and end-of-splits signals. Single-threaded apart from that queue.
 */
final class ScriptedEnumeratorContext implements SplitEnumeratorContext<ChunkSplit> {

    private final BlockingQueue<Runnable> coordinator = new LinkedBlockingQueue<>();
    private final Map<Integer, ReaderInfo> readers = new HashMap<>();
    private final int parallelism;

    /** Assignments per subtask, in order. */
    final Map<Integer, List<ChunkSplit>> assigned = new HashMap<>();

    final Set<Integer> noMoreSplits = new HashSet<>();

    ScriptedEnumeratorContext(int parallelism) {
        this.parallelism = parallelism;
    }

    void register(int subtask) {
        readers.put(subtask, new ReaderInfo(subtask, "localhost"));
    }

    void unregister(int subtask) {
        readers.remove(subtask);
    }

    /** Runs what was handed to the coordinator thread until {@code done}, waiting up to 30 s for each. */
    void runUntil(BooleanSupplier done) throws InterruptedException {
        while (!done.getAsBoolean()) {
            Runnable next = coordinator.poll(30, TimeUnit.SECONDS);
            if (next == null) {
                throw new AssertionError("the enumerator handed the coordinator nothing more within 30 s");
            }
            next.run();
        }
    }

    /** The chunks assigned to {@code subtask} so far. */
    List<ChunkSplit> of(int subtask) {
        return assigned.getOrDefault(subtask, List.of());
    }

    int assignedCount() {
        return assigned.values().stream().mapToInt(List::size).sum();
    }

    @Override
    public SplitEnumeratorMetricGroup metricGroup() {
        return UnregisteredMetricsGroup.createSplitEnumeratorMetricGroup();
    }

    @Override
    public void sendEventToSourceReader(int subtaskId, SourceEvent event) {}

    @Override
    public int currentParallelism() {
        return parallelism;
    }

    @Override
    public Map<Integer, ReaderInfo> registeredReaders() {
        return Map.copyOf(readers);
    }

    @Override
    public void assignSplits(SplitsAssignment<ChunkSplit> assignment) {
        assignment
                .assignment()
                .forEach((subtask, splits) -> assigned.computeIfAbsent(subtask, s -> new ArrayList<>())
                        .addAll(splits));
    }

    @Override
    public void signalNoMoreSplits(int subtask) {
        noMoreSplits.add(subtask);
    }

    @Override
    public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
        throw new UnsupportedOperationException("the fill enumerator runs its own threads");
    }

    /** The periodic progress tick: not run here (the test writes no progress through it). */
    @Override
    public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler, long initialDelay, long period) {}

    @Override
    public void runInCoordinatorThread(Runnable runnable) {
        coordinator.add(runnable);
    }
}
