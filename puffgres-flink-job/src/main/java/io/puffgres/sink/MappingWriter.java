package io.puffgres.sink;

import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.dlq.DlqEntry;
import io.puffgres.dlq.DlqSink;
import io.puffgres.event.RowEvent;
import io.puffgres.migration.Migration;
import io.puffgres.migration.MigrationTransforms;
import io.puffgres.pipeline.Failure;
import io.puffgres.pipeline.FailurePolicy;
import io.puffgres.pipeline.MappedEvent;
import io.puffgres.pipeline.MappingActions;
import io.puffgres.pipeline.Outcome;
import io.puffgres.stream.DrainingOperator;
import io.puffgres.stream.JobSpec;
import io.puffgres.stream.WriterMetric;
import java.util.List;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * One mapping's operator on the stream keyed by document id: the {@link LsnGuard}, then the pipeline's {@link
 * MappingActions} (membership, transform, document), then the {@link WriteScheduler} that batches and writes to the
 * mapping's namespace. Fill rows ({@link MappedEvent#isFill()}) come through the same guard, which orders them against
 * the stream by their snapshot's visibility of each change's transaction (docs/job.md, "Filling a namespace"). Emits
 * the changes it cannot apply as {@link DlqEntry}s (with {@code --strict} it stops at the first). Upserts apply only where the stored {@code __source_lsn} (or versioning column) is not newer than the
 * incoming one: protection against other writers and replays. A delete of an id the guard knows to have no document
 * is not sent (metric {@code deletesSkipped}). Transient write errors are retried by the client without limit
 * (back-pressure, the retries metric counts them), or up to {@code [turbopuffer] max_retries} times; then, and for the
 * other errors, {@link FailurePolicy} decides. Before a barrier passes everything is written and acknowledged.
 */
public final class MappingWriter extends DrainingOperator<MappedEvent, DlqEntry> implements WriteScheduler.Outcomes {

    private static final long serialVersionUID = 1L;

    private final JobSpec spec;
    private final String mappingName;
    private final StampFloor floor;

    private transient Migration migration;
    private transient MigrationTransforms transforms;
    private transient MappingActions actions;
    private transient TurbopufferClient client;
    private transient LsnGuard guard;
    private transient WriteScheduler scheduler;
    private transient WriterMetrics metrics;
    private transient SlotLag slotLag;

    /** The writer of a mapping that no fill of this job writes to. */
    public MappingWriter(JobSpec spec, String mappingName) {
        this(spec, mappingName, null);
    }

    /**
     * The writer of a mapping with a fill in this job: when it opens, it reads {@code floor}, at or above every stamp
     * a run that died after the checkpoint it restores may have written, and its upserts also apply where the stored
     * stamp is at or below it. Without that a change below a fill row's horizon that such a run wrote would be
     * refused for good (docs/job.md, "Restores").
     */
    public MappingWriter(JobSpec spec, String mappingName, StampFloor floor) {
        this.spec = spec;
        this.mappingName = mappingName;
        this.floor = floor;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        guard = new LsnGuard();
        guard.initialize(context, getKeyedStateBackend());
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        guard.snapshot();
    }

    @Override
    public void open() throws Exception {
        super.open();
        migration = spec.mapping(mappingName);
        transforms = new MigrationTransforms(spec.project());
        actions = MappingActions.create(spec.project(), transforms, migration);
        if (floor != null) {
            actions.requests().floor(floor.read());
        }
        metrics = new WriterMetrics(
                getMetricGroup(),
                () -> scheduler == null ? 0 : scheduler.buffered(),
                () -> scheduler == null ? 0 : scheduler.inFlight());
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) { // the slot is the job's: one gauge
            slotLag = getMetricGroup()
                    .gauge(WriterMetric.SLOT_LAG_BYTES.id(), new SlotLag(spec, mappingName + ": slot lag"));
        }
        client = spec.turbopuffer().onRetry((op, ns, attempt, status, delay) -> {
            metrics.retries.inc();
            stallWatch.active();
        });
        scheduler = new WriteScheduler(
                migration.namespace(),
                migration.write(),
                client,
                actions.requests(),
                mailbox,
                getProcessingTimeService(),
                this,
                () -> stallWatch.progressed());
        watchStalls(spec.project().config().flink(), null);
    }

    @Override
    protected String pendingWork() {
        if (scheduler == null) {
            return null;
        }
        int writes = scheduler.unacknowledged();
        int buffered = scheduler.buffered();
        if (writes == 0 && buffered == 0) {
            return null;
        }
        return writes + " write(s) to namespace " + migration.namespace() + " unacknowledged, " + buffered
                + " row(s) buffered (turbopuffer retries so far: " + metrics.retries.getCount() + ")";
    }

    @Override
    public void processElement(StreamRecord<MappedEvent> record) throws Exception {
        MappedEvent e = record.getValue();
        RowEvent event = e.event();
        metrics.eventsIn.inc();
        if (e.kind() == MappedEvent.Kind.TRUNCATE) {
            scheduler.truncate(event.lsn());
            guard.truncated(event.lsn());
            return;
        }
        LsnGuard.Verdict verdict = e.isFill() ? guard.admitFill(e.fill()) : guard.admit(event.lsn(), event.txId());
        switch (verdict) {
            case STALE -> metrics.stale.inc();
            case FILL_STALE -> metrics.fillRowsStale.inc();
            case IN_FILL -> {
                guard.applied(); // reflected: a fill row read after it holds it
                metrics.changesInFill.inc();
            }
            case UNORDERABLE -> throw unorderable(e);
            case APPLY -> apply(e);
        }
    }

    private void apply(MappedEvent e) throws Exception {
        Outcome outcome = actions.apply(e, guard.stamp());
        if (outcome instanceof Outcome.Delete && guard.knownAbsent()) {
            guard.skippedDelete();
            metrics.deletesSkipped.inc();
            return;
        }
        guard.applied(); // before the write is buffered: buffering may run mails that change the current key
        if (outcome instanceof Outcome.Write w) {
            scheduler.add(Pending.of(e.id(), w, e.event(), e.isFill()));
        } else if (outcome instanceof Outcome.Skip) {
            metrics.skips.inc();
        } else {
            toDlq(e.event(), (Failure) outcome);
        }
    }

    /** A streamed change without a transaction id met a fill row: whether the row holds it cannot be known. */
    private IllegalStateException unorderable(MappedEvent e) {
        return new IllegalStateException(
                "mapping " + mappingName + ": the " + e.event().op() + " of id " + e.id()
                        + " at LSN " + e.event().lsnText() + " in " + e.event().relation()
                        + " carries no transaction id, so it cannot be ordered against the fill row read in snapshot "
                        + guard.fill() + " (the source must report each change's transaction: Debezium's source.txId)");
    }

    @Override
    public void acknowledged(List<Pending> batch, long startNanos) {
        metrics.acknowledged(batch, startNanos);
        try {
            for (Pending p : batch) {
                if (p.write() instanceof Outcome.Delete && !p.fill()) {
                    setCurrentKey(p.key()); // a mail runs between records: the next record sets its own key again
                    guard.deleted(p.event().lsn()); // the change's own LSN, which the guard compares, not its stamp
                }
            }
        } catch (Exception ex) {
            throw new IllegalStateException("cannot record the deletes of mapping " + mappingName + ": " + ex, ex);
        }
    }

    @Override
    public void rejected(Pending p, TurbopufferException e) {
        toDlq(p.event(), FailurePolicy.rejected(p.id().toString(), e));
    }

    @Override
    public void truncated() {
        metrics.flushed();
    }

    private void toDlq(RowEvent event, Failure failure) {
        metrics.dlq.inc();
        DlqEntry entry = DlqEntry.of(migration, event, failure);
        if (spec.strict()) {
            DlqSink.recordAndStop(spec, entry);
        }
        output.collect(new StreamRecord<>(entry));
    }

    /** Writes and waits until everything buffered is acknowledged by turbopuffer (or in the DLQ). */
    @Override
    protected void drain() throws Exception {
        scheduler.drain();
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
