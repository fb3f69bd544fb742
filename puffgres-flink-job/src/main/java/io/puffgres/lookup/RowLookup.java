package io.puffgres.lookup;

import io.puffgres.migration.Migration;
import io.puffgres.pipeline.MappedEvent;
import io.puffgres.stream.DrainingOperator;
import io.puffgres.stream.JobSpec;
import io.puffgres.stream.MappedEventSerializer;
import io.puffgres.stream.WriterMetric;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamElement;
import org.apache.flink.streaming.runtime.streamrecord.StreamElementSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.function.ThrowingRunnable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks changes up in Postgres before the mapping sees them, through a small pool of connections (one per
 * worker thread):
 *
 * <ul>
 *   <li>{@code view} membership: the row is read from the view by id; found → that row is the change, absent → a
 *       delete;
 *   <li>{@code lookup} membership: the migration's SQL ({@code $1} = id) decides; no row → a delete;
 *   <li>values the WAL does not carry: an UPDATE that did not carry an unchanged large value (unchanged TOAST,
 *       which Postgres leaves out of the WAL), or a change without a listed column (a generated column: Postgres
 *       before 18 publishes none), gets those values from the current row; a row gone by then becomes a delete
 *       (its DELETE follows anyway).
 * </ul>
 *
 * Values read now may be newer than the change; the change that made them newer follows in the stream, so the
 * namespace converges. Everything else passes through untouched.
 *
 * <p>The order of changes is kept, as by Flink's ordered async operator, without that operator's cost for the
 * changes that need no lookup (most of them, for {@code dsl} membership): a change goes straight on unless a
 * lookup before it is still running, in which case it waits behind it (at most {@link #CAPACITY} changes wait;
 * then the stream waits). Lookups finish on the task thread (a mail per lookup), and a barrier or watermark
 * passes only when none is running, so nothing held here needs to be in a checkpoint.
 */
public final class RowLookup extends DrainingOperator<MappedEvent, MappedEvent> {

    private static final Logger LOG = LoggerFactory.getLogger(RowLookup.class);

    private static final long serialVersionUID = 1L;

    /** How much longer than a query may take a lookup connection waits for any answer before it gives up. */
    static final int NETWORK_GRACE_SECONDS = 10;

    /** Changes held back at most behind a running lookup, the running ones included. */
    static final int CAPACITY = 256;

    /**
     * Where Flink's ordered async operator, this stage in earlier builds, kept the changes it held at a
     * checkpoint: a restore from such a checkpoint sends them on first.
     */
    static final String ASYNC_OPERATOR_STATE = "_async_wait_operator_state_";

    private final JobSpec spec;
    private final String mappingName;
    private final String tableSql;
    private final int poolSize;

    private transient Migration migration;
    private final Workers workerFactory;

    private transient ExecutorService workers;
    private transient ThreadLocal<Connection> connection;
    private transient List<Connection> connections;
    /** Changes in stream order from the oldest lookup still running; touched on the task thread only. */
    private transient ArrayDeque<Held> held;
    /** {@code held.size()} and the lookups running, for the stall watch's thread. */
    private transient volatile int heldCount;

    private transient volatile int lookupsRunning;

    /** The changes a checkpoint of the earlier async operator held, until {@link #open} sends them on. */
    private transient List<StreamElement> restored;

    /** A change held back: {@code record} holds the lookup's result once {@code running} is false. */
    private static final class Held {
        final StreamRecord<MappedEvent> record;
        boolean running;

        Held(StreamRecord<MappedEvent> record, boolean running) {
            this.record = record;
            this.running = running;
        }
    }

    /**
     * @param tableSql the quoted name of the table CDC follows ({@code "public"."pages"})
     */
    public RowLookup(JobSpec spec, String mappingName, String tableSql, int poolSize) {
        this(spec, mappingName, tableSql, poolSize, RowLookup::daemonPool);
    }

    /** @param workerFactory runs the lookups; tests pass one they control */
    RowLookup(JobSpec spec, String mappingName, String tableSql, int poolSize, Workers workerFactory) {
        this.spec = spec;
        this.mappingName = mappingName;
        this.tableSql = tableSql;
        this.poolSize = poolSize;
        this.workerFactory = workerFactory;
    }

    /** Makes the executor the lookups run on. */
    @FunctionalInterface
    interface Workers extends Serializable {
        ExecutorService create(String threadName, int size);
    }

    private static ExecutorService daemonPool(String threadName, int size) {
        return Executors.newFixedThreadPool(size, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    protected String pendingWork() {
        int waiting = heldCount;
        if (waiting == 0) {
            return null;
        }
        return lookupsRunning + " lookup(s) in Postgres unanswered, " + waiting
                + " change(s) held in order behind the oldest (the stage holds at most " + CAPACITY + ")";
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = new ArrayList<>();
        OperatorStateStore store = context.getOperatorStateStore();
        if (context.isRestored() && store.getRegisteredStateNames().contains(ASYNC_OPERATOR_STATE)) {
            ListState<StreamElement> state = store.getListState(new ListStateDescriptor<>(
                    ASYNC_OPERATOR_STATE, new StreamElementSerializer<>(MappedEventSerializer.INSTANCE)));
            state.get().forEach(restored::add);
            state.clear();
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        migration = spec.mapping(mappingName);
        held = new ArrayDeque<>();
        connections = Collections.synchronizedList(new ArrayList<>());
        String threadName = "puffgres-lookup-" + mappingName;
        workers = workerFactory.create(threadName, poolSize);
        connection = ThreadLocal.withInitial(() -> {
            try {
                Connection c = spec.connect();
                c.setReadOnly(true);
                // a query's timeout is a cancel request sent to the server; a dead network needs a socket timeout too
                c.setNetworkTimeout(Runnable::run, (CurrentRows.QUERY_TIMEOUT_SECONDS + NETWORK_GRACE_SECONDS) * 1000);
                connections.add(c);
                return c;
            } catch (SQLException e) {
                throw new IllegalStateException("cannot connect to Postgres for lookups: " + e.getMessage(), e);
            }
        });
        watchStalls(spec.project().config().flink(), threadName);
        getMetricGroup().gauge(WriterMetric.LOOKUPS_RUNNING.id(), () -> lookupsRunning);
        getMetricGroup().gauge(WriterMetric.CHANGES_HELD.id(), () -> heldCount);
        for (StreamElement e : restored) {
            if (e.isRecord()) {
                processElement(e.asRecord());
            } else if (e.isWatermark()) {
                processWatermark(e.asWatermark());
            }
        }
        restored = null;
    }

    @Override
    public void processElement(StreamRecord<MappedEvent> element) throws Exception {
        MappedEvent e = element.getValue();
        boolean lookup = e.kind() == MappedEvent.Kind.CHANGE && CurrentRows.needsLookup(migration, e.event());
        // Room first: while it waits, every lookup may finish and the held changes go on, so whether this change
        // may pass straight on is known only after the wait. (Decided before it, a change that needs no lookup
        // would be held behind nothing, and nothing would send it on: the stream stalled for good. Issue 15.)
        while (held.size() >= CAPACITY) {
            mailbox.yield();
        }
        if (!lookup && held.isEmpty()) {
            output.collect(element);
            return;
        }
        Held h = new Held(element.copy(e), lookup);
        held.add(h);
        heldCount = held.size();
        if (lookup) {
            lookupsRunning++;
            workers.execute(() -> {
                MappedEvent result;
                try {
                    result = CurrentRows.resolve(connection.get(), migration, tableSql, e);
                } catch (Throwable ex) { // an Error too: a lookup that never reports back would hold the stream
                    post(
                            () -> {
                                throw new IllegalStateException(
                                        "lookup of id " + e.id() + " for mapping " + mappingName + " failed: " + ex,
                                        ex);
                            },
                            "lookup failure");
                    return;
                }
                post(
                        () -> {
                            h.record.replace(result);
                            h.running = false;
                            lookupsRunning--;
                            stallWatch.progressed();
                            emitReady();
                        },
                        "lookup result");
            });
        }
    }

    /**
     * Hands a lookup's outcome to the task thread. A task that has closed (failed, cancelled, restarting) takes no
     * more: the outcome is dropped, as the change it belongs to is read again after the restore.
     */
    private void post(ThrowingRunnable<? extends Exception> action, String description) {
        try {
            mailbox.execute(action, description);
        } catch (RejectedExecutionException closed) {
            LOG.debug("{} for mapping {} dropped: the task has closed", description, mappingName);
        }
    }

    /** Sends on the held changes up to the oldest lookup still running. */
    private void emitReady() {
        while (!held.isEmpty() && !held.peek().running) {
            output.collect(held.poll().record);
        }
        heldCount = held.size();
    }

    /** Waits until every lookup has finished and every held change has gone on. */
    @Override
    protected void drain() throws InterruptedException {
        while (!held.isEmpty()) {
            mailbox.yield();
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        drain();
        super.processWatermark(mark);
    }

    @Override
    public void close() throws Exception {
        try {
            if (workers != null) {
                workers.shutdownNow();
            }
            if (connections != null) {
                for (Connection c : connections) {
                    c.close();
                }
            }
        } finally {
            super.close();
        }
    }
}
