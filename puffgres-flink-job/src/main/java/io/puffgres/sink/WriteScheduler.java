package io.puffgres.sink;

import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.client.WriteRequest;
import io.puffgres.document.DocId;
import io.puffgres.migration.WriteSettings;
import io.puffgres.pipeline.FailurePolicy;
import io.puffgres.pipeline.Outcome;
import io.puffgres.pipeline.WriteRequests;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;

/**
 * When a mapping writer's writes go to turbopuffer, on the task thread (outcomes come back through the mailbox):
 *
 * <ul>
 *   <li><b>Batching.</b> Writes collect per id (the last one wins, so an id is never twice in a request) and are
 *       sent at {@code batch_max_rows}, {@code batch_max_bytes} or after {@code flush_interval_ms}.
 *   <li><b>One write per id in flight.</b> Up to {@link #MAX_IN_FLIGHT} requests are in flight, in order; a batch
 *       sharing an id with one in flight waits for it, so two writes of one id are never in flight together and per-id
 *       order is kept. A full buffer waits for the queue: back-pressure.
 *   <li><b>Checkpoint-safe.</b> {@link #drain()} returns once everything buffered is acknowledged (or in the DLQ);
 *       the writer drains before a barrier passes, so a checkpoint never covers an unwritten change.
 *   <li><b>Failures</b> follow {@link FailurePolicy}: a rejected request is split in halves until the bad rows are
 *       alone, which go to {@link Outcomes#rejected}; the others fail the task.
 * </ul>
 */
final class WriteScheduler {

    /**
     * Requests in flight per subtask. turbopuffer takes a write per namespace in hundreds of milliseconds, so
     * one-at-a-time would cap a subtask far below what Postgres delivers; batches that share an id still wait.
     */
    static final int MAX_IN_FLIGHT = 4;

    /** What became of the writes, told on the task thread. */
    interface Outcomes {
        /** turbopuffer acknowledged {@code batch}, sent at {@code startNanos}. */
        void acknowledged(List<Pending> batch, long startNanos);

        /** turbopuffer rejected the write of {@code p} alone. */
        void rejected(Pending p, TurbopufferException e);

        /** A TRUNCATE's delete was acknowledged. */
        void truncated();
    }

    private final String namespace;
    private final WriteSettings settings;
    private final TurbopufferClient client;
    private final WriteRequests requests;
    private final MailboxExecutor mailbox;
    private final ProcessingTimeService time;
    private final Outcomes outcomes;
    /** Some work in flight completed (for the stall watch). */
    private final Runnable progressed;

    private final LinkedHashMap<DocId, Pending> pending = new LinkedHashMap<>();
    private final Deque<List<Pending>> queue = new ArrayDeque<>();
    private final Set<DocId> inFlightIds = new HashSet<>();
    private long pendingBytes;
    /** Requests in flight; volatile for the stall watch's and the metrics' threads. */
    private volatile int inFlight;
    /** A TRUNCATE's delete is in flight; volatile for the stall watch's thread. */
    private volatile boolean truncating;

    private boolean timerArmed;
    private boolean flushing;

    WriteScheduler(
            String namespace,
            WriteSettings settings,
            TurbopufferClient client,
            WriteRequests requests,
            MailboxExecutor mailbox,
            ProcessingTimeService time,
            Outcomes outcomes,
            Runnable progressed) {
        this.namespace = namespace;
        this.settings = settings;
        this.client = client;
        this.requests = requests;
        this.mailbox = mailbox;
        this.time = time;
        this.outcomes = outcomes;
        this.progressed = progressed;
    }

    /** Rows buffered, not yet sent; a racy read from other threads, at worst a moment old. */
    int buffered() {
        return pending.size();
    }

    /** Requests sent and not acknowledged, a TRUNCATE's delete included. */
    int unacknowledged() {
        return inFlight + (truncating ? 1 : 0);
    }

    int inFlight() {
        return inFlight;
    }

    /** Buffers {@code p} (replacing a write of its id not yet sent); sends the buffer when it is full. */
    void add(Pending p) throws Exception {
        Pending old = pending.remove(p.id());
        pendingBytes += p.bytes() - (old == null ? 0 : old.bytes());
        pending.put(p.id(), p);
        if (pending.size() >= settings.batchMaxRows() || pendingBytes >= settings.batchMaxBytes()) {
            flush();
        } else if (!timerArmed) {
            timerArmed = true;
            time.registerTimer(time.getCurrentProcessingTime() + settings.flushIntervalMs(), t -> {
                timerArmed = false;
                if (!flushing) {
                    flush();
                }
            });
        }
    }

    /** Hands the buffer to the send queue once the queue has been taken up (back-pressure). */
    void flush() throws Exception {
        flushing = true;
        try {
            while (!queue.isEmpty()) {
                mailbox.yield();
            }
            if (pending.isEmpty()) {
                return;
            }
            queue.add(new ArrayList<>(pending.values()));
            pending.clear();
            pendingBytes = 0;
            pump();
        } finally {
            flushing = false;
        }
    }

    /** Writes and waits until everything buffered is acknowledged by turbopuffer (or rejected). */
    void drain() throws Exception {
        flush();
        while (inFlight > 0 || !queue.isEmpty()) {
            mailbox.yield();
        }
    }

    /** Drains, then deletes the namespace's documents written before {@code lsn} and waits for the answer. */
    void truncate(long lsn) throws Exception {
        drain();
        CompletableFuture<?> done = new CompletableFuture<>();
        truncating = true;
        client.writeAsync(namespace, WriteRequests.truncate(lsn))
                .whenComplete((r, error) -> mailbox.execute(
                        () -> {
                            if (error != null) {
                                done.completeExceptionally(error);
                            } else {
                                done.complete(null);
                            }
                        },
                        "turbopuffer truncate outcome"));
        while (!done.isDone()) {
            mailbox.yield();
        }
        truncating = false;
        progressed.run();
        done.join();
        outcomes.truncated();
    }

    /**
     * Sends queued batches, in order, while fewer than {@link #MAX_IN_FLIGHT} are in flight and the next one shares
     * no id with those in flight (then it waits: per-id order and one write per id in flight).
     */
    private void pump() {
        while (inFlight < MAX_IN_FLIGHT && !queue.isEmpty() && !overlapsInFlight(queue.peek())) {
            send(queue.poll());
        }
    }

    private boolean overlapsInFlight(List<Pending> batch) {
        if (inFlight == 0) {
            return false;
        }
        for (Pending p : batch) {
            if (inFlightIds.contains(p.id())) {
                return true;
            }
        }
        return false;
    }

    private void send(List<Pending> batch) {
        List<Outcome.Write> writes = new ArrayList<>(batch.size());
        batch.forEach(p -> writes.add(p.write()));
        WriteRequest request = requests.batch(writes);
        if (request.encodedSize() > settings.batchMaxBytes() && batch.size() > 1) {
            splitToFront(batch);
            pump();
            return;
        }
        inFlight++;
        batch.forEach(p -> inFlightIds.add(p.id()));
        long start = System.nanoTime();
        client.writeAsync(namespace, request)
                .whenComplete((result, error) ->
                        mailbox.execute(() -> done(batch, start, error), "turbopuffer write outcome"));
    }

    private void splitToFront(List<Pending> batch) {
        int half = batch.size() / 2;
        queue.addFirst(new ArrayList<>(batch.subList(half, batch.size())));
        queue.addFirst(new ArrayList<>(batch.subList(0, half)));
    }

    private void done(List<Pending> batch, long start, Throwable error) {
        inFlight--;
        progressed.run();
        batch.forEach(p -> inFlightIds.remove(p.id()));
        if (error == null) {
            outcomes.acknowledged(batch, start);
            pump();
            return;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (!(cause instanceof TurbopufferException te)) {
            throw new IllegalStateException("write to namespace " + namespace + " failed: " + cause, cause);
        }
        FailurePolicy.Rule rule = FailurePolicy.of(te.kind());
        switch (rule.response()) {
            case STOP -> throw new SuppressRestartsException(new IllegalStateException(rule.explain(te.getMessage())));
            case RESTART -> throw new IllegalStateException(rule.explain(te.getMessage()), te);
            case DLQ -> {
                if (batch.size() > 1) {
                    splitToFront(batch);
                } else {
                    outcomes.rejected(batch.get(0), te);
                }
            }
        }
        pump();
    }
}
