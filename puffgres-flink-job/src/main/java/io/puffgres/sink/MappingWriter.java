package io.puffgres.sink;

import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.client.WriteRequest;
import io.puffgres.dlq.DlqEntry;
import io.puffgres.dlq.DlqSink;
import io.puffgres.document.DocId;
import io.puffgres.event.RowEvent;
import io.puffgres.migration.Migration;
import io.puffgres.migration.MigrationTransforms;
import io.puffgres.pipeline.Failure;
import io.puffgres.pipeline.FailurePolicy;
import io.puffgres.pipeline.MappedEvent;
import io.puffgres.pipeline.MappingActions;
import io.puffgres.pipeline.Outcome;
import io.puffgres.pipeline.WriteRequests;
import io.puffgres.stream.DrainingOperator;
import io.puffgres.stream.JobSpec;
import io.puffgres.stream.WriterMetric;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * One mapping's operator on the stream keyed by document id: LSN guard, membership, transform, then batching and
 * writing to the mapping's namespace. Emits the changes it cannot apply as {@link DlqEntry}s.
 *
 * <ul>
 *   <li><b>LSN guard.</b> Keyed state holds the latest LSN applied per id (deletes included); an event at or
 *       before it is dropped, so a replayed or stale change never overwrites newer data. The subtask also keeps the
 *       newest LSN it has put in that state (in operator state, so it survives a restore): an event after it cannot
 *       be stale, so it is applied without reading its id's state. The stream comes in WAL order, so that is nearly
 *       every streamed change, and RocksDB is only written, not read, for them.
 *   <li><b>Batching.</b> Actions collect per id (the last one wins, so an id is never twice in a request) and
 *       are sent at {@code batch_max_rows}, {@code batch_max_bytes} or after {@code flush_interval_ms}.
 *   <li><b>One write per id in flight.</b> A subtask keeps up to {@link #MAX_IN_FLIGHT} requests in flight, in
 *       order; a batch sharing an id with one in flight waits for it, so two writes of one id are never in flight
 *       together and per-id order is kept. A full buffer waits for the queue: back-pressure.
 *   <li><b>Checkpoints.</b> Before a barrier passes, everything buffered is written and acknowledged, so a
 *       completed checkpoint (and the replication slot position it confirms) never covers an unwritten change.
 *   <li><b>Conditions.</b> Upserts apply only where the stored {@code __source_lsn} (or versioning column) is not
 *       newer than the incoming one: protection against other writers and replays.
 *   <li><b>Failures.</b> Transient errors are retried by the client without limit (back-pressure, the retries
 *       metric counts them), or up to {@code [turbopuffer] max_retries} times, after which the job fails and restarts
 *       from its last checkpoint. A request rejected with 400/422 is split in halves until the bad rows are alone;
 *       those go to the DLQ, the rest is written. 401/403 stop the job with the hint.
 * </ul>
 */
public final class MappingWriter extends DrainingOperator<MappedEvent, DlqEntry> {

    private static final long serialVersionUID = 1L;

    private static final ValueStateDescriptor<Long> LATEST_LSN = new ValueStateDescriptor<>("latest-lsn", Types.LONG);

    /** Each subtask's {@link #newestLsn}; a restored subtask takes the largest (it may hold any subtask's ids). */
    private static final ListStateDescriptor<Long> NEWEST_LSN = new ListStateDescriptor<>("newest-lsn", Types.LONG);

    /**
     * Requests in flight per subtask. turbopuffer takes a write per namespace in hundreds of milliseconds, so
     * one-at-a-time would cap a subtask far below what Postgres delivers; batches that share an id still wait.
     */
    static final int MAX_IN_FLIGHT = 4;

    private final JobSpec spec;
    private final String mappingName;

    private transient Migration migration;
    private transient MappingActions actions;
    private transient TurbopufferClient client;
    private transient ValueState<Long> latestLsn;
    /** No id's LSN in {@link #latestLsn} is after this one (unsigned; -1, the largest, when that is not known). */
    private transient long newestLsn;

    private transient ListState<Long> newestLsnState;

    private transient LinkedHashMap<DocId, Pending> pending;
    private transient long pendingBytes;
    private transient Deque<List<Pending>> queue;
    /** Requests in flight; volatile for the stall watch's thread. */
    private transient volatile int inFlight;

    private transient Set<DocId> inFlightIds;
    /** A TRUNCATE's delete is in flight; volatile for the stall watch's thread. */
    private transient volatile boolean truncating;

    private transient boolean timerArmed;
    private transient boolean flushing;

    private transient Counter eventsIn;
    private transient Counter upserts;
    private transient Counter deletes;
    private transient Counter skips;
    private transient Counter stale;
    private transient Counter dlq;
    private transient Counter batches;
    private transient Counter retries;
    private transient Histogram writeLatency;
    private transient SlotLag slotLag;
    private transient MigrationTransforms transforms;
    private transient volatile long lastFlushMs;
    /** At the last acknowledged write: its acknowledgement time minus the commit time of its newest change. */
    private transient volatile long lagMs;

    private transient volatile long lagAtMs;

    /**
     * A buffered action: an upsert when {@code document} is set, else a delete; {@code bytes} is about its share of
     * a request, for {@code batch_max_bytes} (a built request's size is checked exactly).
     */
    private record Pending(Outcome.Write write, RowEvent event, int bytes) {
        DocId id() {
            return write.id();
        }
    }

    public MappingWriter(JobSpec spec, String mappingName) {
        this.spec = spec;
        this.mappingName = mappingName;
    }

    @Override
    public void open() throws Exception {
        super.open();
        migration = spec.mapping(mappingName);
        transforms = new MigrationTransforms(spec.project());
        actions = MappingActions.create(spec.project(), transforms, migration);
        pending = new LinkedHashMap<>();
        queue = new ArrayDeque<>();
        inFlightIds = new HashSet<>();
        registerMetrics(getMetricGroup());
        client = new TurbopufferClient(
                        spec.project().config().turbopuffer().baseUrl(),
                        spec.project().config().turbopuffer().apiKey(),
                        spec.project()
                                .config()
                                .turbopuffer()
                                .maxRetries()
                                .map(n -> ErrorPolicy.unlimited().withMaxAttempts(n + 1))
                                .orElse(ErrorPolicy.unlimited()),
                        TurbopufferClient.DEFAULT_TIMEOUT)
                .onRetry((op, ns, attempt, status, delay) -> {
                    retries.inc();
                    stallWatch.active();
                });
        watchStalls(spec.project().config().flink(), null);
    }

    @Override
    protected String pendingWork() {
        int writes = inFlight + (truncating ? 1 : 0);
        int buffered = pending == null ? 0 : pending.size(); // a racy read of an int: at worst a moment old
        if (writes == 0 && buffered == 0) {
            return null;
        }
        return writes + " write(s) to namespace " + migration.namespace() + " unacknowledged, " + buffered
                + " row(s) buffered (turbopuffer retries so far: " + retries.getCount() + ")";
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        latestLsn = context.getKeyedStateStore().getState(LATEST_LSN);
        newestLsnState = context.getOperatorStateStore().getUnionListState(NEWEST_LSN);
        boolean recorded = false;
        newestLsn = 0;
        for (long lsn : newestLsnState.get()) {
            recorded = true;
            if (Long.compareUnsigned(lsn, newestLsn) > 0) {
                newestLsn = lsn;
            }
        }
        if (!recorded && anyLatestLsn()) {
            newestLsn = -1; // restored from a checkpoint of a version that did not record it: read every id's state
        }
    }

    private boolean anyLatestLsn() {
        try (var keys = getKeyedStateBackend().getKeys(LATEST_LSN.getName(), VoidNamespace.INSTANCE)) {
            return keys.findAny().isPresent();
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        newestLsnState.update(List.of(newestLsn));
    }

    private void registerMetrics(MetricGroup group) {
        eventsIn = group.counter(WriterMetric.EVENTS_IN.id());
        upserts = group.counter(WriterMetric.UPSERTS.id());
        deletes = group.counter(WriterMetric.DELETES.id());
        skips = group.counter(WriterMetric.SKIPS.id());
        stale = group.counter(WriterMetric.STALE_DROPPED.id());
        dlq = group.counter(WriterMetric.DLQ.id());
        batches = group.counter(WriterMetric.BATCHES.id());
        retries = group.counter(WriterMetric.RETRIES.id(), new ThreadSafeSimpleCounter());
        group.meter(WriterMetric.EVENTS_PER_SECOND.id(), new MeterView(eventsIn, WriterMetric.RATE_WINDOW_SECONDS));
        group.meter(WriterMetric.BATCHES_PER_SECOND.id(), new MeterView(batches, WriterMetric.RATE_WINDOW_SECONDS));
        writeLatency = group.histogram(WriterMetric.WRITE_LATENCY_MS.id(), new DescriptiveStatisticsHistogram(1000));
        group.gauge(WriterMetric.LAST_FLUSH_EPOCH_MS.id(), () -> lastFlushMs);
        group.gauge(WriterMetric.LAG_MS.id(), () -> lagMs);
        group.gauge(WriterMetric.LAG_AT_EPOCH_MS.id(), () -> lagAtMs);
        group.gauge(WriterMetric.PENDING_ROWS.id(), () -> pending == null ? 0 : pending.size());
        group.gauge(WriterMetric.WRITES_IN_FLIGHT.id(), () -> inFlight);
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
            slotLag = group.gauge(WriterMetric.SLOT_LAG_BYTES.id(), new SlotLag(spec, mappingName + ": slot lag"));
        }
    }

    @Override
    public void processElement(StreamRecord<MappedEvent> record) throws Exception {
        MappedEvent e = record.getValue();
        RowEvent event = e.event();
        eventsIn.inc();
        if (e.kind() == MappedEvent.Kind.TRUNCATE) {
            truncate(event);
            return;
        }
        if (Long.compareUnsigned(event.lsn(), newestLsn) > 0) {
            newestLsn = event.lsn(); // after every LSN in the state, so after this id's
        } else {
            Long latest = latestLsn.value();
            if (latest != null && Long.compareUnsigned(event.lsn(), latest) <= 0) {
                stale.inc();
                return;
            }
        }
        latestLsn.update(event.lsn());
        Outcome outcome = actions.apply(e);
        if (outcome instanceof Outcome.Upsert u) {
            add(new Pending(u, event, u.document().size()));
        } else if (outcome instanceof Outcome.Delete d) {
            add(new Pending(d, event, d.id().toString().length() + 4));
        } else if (outcome instanceof Outcome.Skip) {
            skips.inc();
        } else {
            toDlq(event, (Failure) outcome);
        }
    }

    private void add(Pending p) throws Exception {
        Pending old = pending.remove(p.id());
        pendingBytes += p.bytes() - (old == null ? 0 : old.bytes());
        pending.put(p.id(), p);
        if (pending.size() >= migration.write().batchMaxRows()
                || pendingBytes >= migration.write().batchMaxBytes()) {
            flush();
        } else if (!timerArmed) {
            timerArmed = true;
            long at = getProcessingTimeService().getCurrentProcessingTime()
                    + migration.write().flushIntervalMs();
            getProcessingTimeService().registerTimer(at, t -> {
                timerArmed = false;
                if (!flushing) {
                    flush();
                }
            });
        }
    }

    /** Hands the buffer to the send queue once the queue has been taken up (back-pressure). */
    private void flush() throws Exception {
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

    private boolean busy() {
        return inFlight > 0 || !queue.isEmpty();
    }

    /** Writes and waits until everything buffered is acknowledged by turbopuffer (or in the DLQ). */
    @Override
    protected void drain() throws Exception {
        flush();
        while (busy()) {
            mailbox.yield();
        }
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
        WriteRequest request = request(batch);
        if (request.encodedSize() > migration.write().batchMaxBytes() && batch.size() > 1) {
            splitToFront(batch);
            pump();
            return;
        }
        inFlight++;
        batch.forEach(p -> inFlightIds.add(p.id()));
        long start = System.nanoTime();
        client.writeAsync(migration.namespace(), request)
                .whenComplete((result, error) ->
                        mailbox.execute(() -> done(batch, start, error), "turbopuffer write outcome"));
    }

    private WriteRequest request(List<Pending> batch) {
        List<Outcome.Write> writes = new ArrayList<>(batch.size());
        batch.forEach(p -> writes.add(p.write()));
        return actions.requests().batch(writes);
    }

    private void splitToFront(List<Pending> batch) {
        int half = batch.size() / 2;
        queue.addFirst(new ArrayList<>(batch.subList(half, batch.size())));
        queue.addFirst(new ArrayList<>(batch.subList(0, half)));
    }

    private void done(List<Pending> batch, long start, Throwable error) {
        inFlight--;
        stallWatch.progressed();
        batch.forEach(p -> inFlightIds.remove(p.id()));
        if (error == null) {
            batches.inc();
            writeLatency.update((System.nanoTime() - start) / 1_000_000);
            lastFlushMs = System.currentTimeMillis();
            long newestCommit = 0;
            for (Pending p : batch) {
                (p.write() instanceof Outcome.Upsert ? upserts : deletes).inc();
                newestCommit = Math.max(newestCommit, p.event().commitTime().toEpochMilli());
            }
            if (newestCommit > 0) { // snapshot rows carry no commit time
                lagMs = Math.max(0, lastFlushMs - newestCommit);
                lagAtMs = lastFlushMs;
            }
            pump();
            return;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (!(cause instanceof TurbopufferException te)) {
            throw new IllegalStateException("write to namespace " + migration.namespace() + " failed: " + cause, cause);
        }
        FailurePolicy.Rule rule = FailurePolicy.of(te.kind());
        switch (rule.response()) {
            case STOP -> throw new SuppressRestartsException(new IllegalStateException(rule.explain(te.getMessage())));
            case RESTART -> throw new IllegalStateException(rule.explain(te.getMessage()), te);
            case DLQ -> {
                if (batch.size() > 1) {
                    splitToFront(batch);
                } else {
                    Pending p = batch.get(0);
                    toDlq(p.event(), FailurePolicy.rejected(p.id().toString(), te));
                }
            }
        }
        pump();
    }

    private void toDlq(RowEvent event, Failure failure) {
        dlq.inc();
        DlqEntry entry = DlqEntry.of(migration, event, failure);
        if (spec.strict()) {
            DlqSink.recordAndStop(spec, entry);
        }
        output.collect(new StreamRecord<>(entry));
    }

    /** Deletes the mapping's documents written before the TRUNCATE (those after it stay). */
    private void truncate(RowEvent event) throws Exception {
        drain();
        WriteRequest request = WriteRequests.truncate(event.lsn());
        CompletableFuture<?> done = new CompletableFuture<>();
        truncating = true;
        client.writeAsync(migration.namespace(), request)
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
        stallWatch.progressed();
        done.join();
        lastFlushMs = System.currentTimeMillis();
    }

    @Override
    public void close() throws Exception {
        try {
            if (slotLag != null) {
                slotLag.close();
            }
            if (actions != null) {
                actions.close();
            }
            if (transforms != null) {
                transforms.close(); // after the transform: a Java one loads its classes from there
            }
            if (client != null) {
                client.close();
            }
        } finally {
            super.close();
        }
    }

    /** For logs and the web UI. */
    @Override
    public String toString() {
        return "MappingWriter[" + mappingName + "]";
    }
}
