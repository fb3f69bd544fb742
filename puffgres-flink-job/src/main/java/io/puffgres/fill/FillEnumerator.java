package io.puffgres.fill;

import io.puffgres.client.TurbopufferClient;
import io.puffgres.migration.Migration;
import io.puffgres.stream.JobSpec;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JobManager side of a fill: plans chunks a few ahead of the readers ({@link ChunkPlanner}, on a thread of its
 * own, so Postgres and turbopuffer never hold up the coordinator), hands them out on request and tracks each to its
 * end. A fill that sweeps plans pages of the namespace's ids after the key ranges: chunks like the others, so a
 * restore mid-sweep resumes it and the fill is done only once it is swept.
 *
 * <p>A chunk is open until its reader reports it finished ({@link ChunkFinished}, sent after its last row), then
 * finished, and confirmed once a checkpoint that counted it finished completes: only then is it certain to be written.
 * Readers keep no state, so the enumerator alone knows the open chunks: a restore puts them all back to be read anew,
 * and a reader that registers again after its task restarted gives back its open chunks and its finished, unconfirmed
 * ones (the restart lost their rows). Late reports of an earlier assignment are ignored. The ledger records the start,
 * progress (at most once a second) and, from {@link #notifyCheckpointComplete} once every chunk is confirmed, the end.
 * A table that cannot be filled, or a namespace that cannot be swept ({@link FillTableException}), marks the fill
 * failed and ends the source; other errors fail the job, which restarts from its last checkpoint. Not thread-safe:
 * Flink calls it on the coordinator thread.
 */
final class FillEnumerator implements SplitEnumerator<ChunkSplit, FillEnumeratorState> {

    private static final Logger LOG = LoggerFactory.getLogger(FillEnumerator.class);

    /** The ledger's progress is written at most this often. */
    static final long PROGRESS_INTERVAL_MS = 1000;

    private record Assigned(Chunk chunk, int subtask, long assignment) {}

    /** A finished chunk; {@code checkpoint}: the first checkpoint that counted it, -1 before one did. */
    private record Finished(Chunk chunk, int subtask, long rows, long checkpoint) {}

    private final SplitEnumeratorContext<ChunkSplit> context;
    private final JobSpec spec;
    private final FillRequest request;
    private final String name;
    /** Resolving the table and planning, on one thread (it alone uses the connection). */
    private final ExecutorService jdbc;

    private final LedgerWriter ledger;

    /** Used on the planner thread; closed from the coordinator thread to stop a query in flight. */
    private volatile Connection connection;

    private volatile boolean closed;

    private ChunkPlanner planner;

    /** The sweep's turbopuffer client (a fill that sweeps), used on the planner thread. */
    private TurbopufferClient client;

    private PlanCursor cursor;
    private final TreeMap<Integer, Chunk> pending = new TreeMap<>();
    private final Map<Integer, Assigned> assigned = new HashMap<>();
    private final Map<Integer, Finished> unconfirmed = new HashMap<>();
    private long confirmedChunks;
    private long confirmedRows;
    private final Deque<Integer> waiting = new ArrayDeque<>();
    private boolean ready;
    private boolean ended;
    private boolean planning;
    private boolean doneRecorded;
    private long nextAssignment;
    private boolean progressDirty;
    private long lastProgressNanos;

    // read by metric reporters on other threads
    private volatile long estimate = -1;
    private volatile long chunksDone;
    private volatile long rowsDone;
    private volatile long chunksTotal = -1;

    FillEnumerator(
            SplitEnumeratorContext<ChunkSplit> context,
            JobSpec spec,
            FillRequest request,
            FillEnumeratorState restored) {
        this.context = context;
        this.spec = spec;
        this.request = request;
        this.name = "fill " + request.fillId() + " of mapping " + request.mapping() + " v" + request.version();
        this.ledger = new LedgerWriter(
                spec,
                request.fillId(),
                name,
                e -> context.runInCoordinatorThread(() -> fail("cannot write to the fills table", e)));
        this.jdbc = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name + ": planner");
            t.setDaemon(true);
            return t;
        });
        if (restored == null) {
            cursor = PlanCursor.start();
        } else {
            cursor = restored.cursor();
            restored.open().forEach(chunk -> pending.put(chunk.index(), chunk));
            confirmedChunks = restored.chunksDone();
            confirmedRows = restored.rowsDone();
            LOG.info(
                    "{}: restored with {} chunk(s) done ({} rows), {} to read again, planning at {}",
                    name,
                    confirmedChunks,
                    confirmedRows,
                    pending.size(),
                    cursor.describe());
        }
        updateCounts();
    }

    @Override
    public void start() {
        MetricGroup metrics = context.metricGroup();
        metrics.gauge("fillChunksDone", () -> chunksDone);
        metrics.gauge("fillRowsDone", () -> rowsDone);
        metrics.gauge("fillChunksTotal", () -> chunksTotal);
        metrics.gauge("fillRowsEstimate", () -> estimate);
        jdbc.execute(() -> {
            try {
                connection = spec.connect();
                Migration migration = FillSource.migration(spec, request);
                FillTable table = FillTable.resolve(connection, migration);
                planner = new ChunkPlanner(table, request.chunkRows(), sweep(migration));
                long rows = planner.estimate(connection);
                ledger.started(rows);
                LOG.info(
                        "{}: reading {} by {} in chunks of {} rows ({}), about {} rows",
                        name,
                        table.relation(),
                        table.keyList(),
                        request.chunkRows(),
                        table.predicate().map(p -> "WHERE " + p).orElse("every row"),
                        rows);
                context.runInCoordinatorThread(() -> onReady(rows));
            } catch (FillTableException e) {
                cannotFill(e);
            } catch (SQLException | RuntimeException e) {
                context.runInCoordinatorThread(() -> fail("cannot start", e));
            }
        });
        context.callAsync(() -> null, (ignored, error) -> writeProgress(false), 0, PROGRESS_INTERVAL_MS);
    }

    /** The namespace's ids for a fill that sweeps; null for one that does not. */
    private NamespaceIds sweep(Migration migration) {
        if (!request.sweep()) {
            return null;
        }
        client = spec.turbopuffer();
        return new NamespaceIds(
                client, request.mapping(), migration.namespace(), migration.id().type(), NamespaceIds.PAGE_SIZE);
    }

    private void onReady(long rows) {
        estimate = rows;
        ready = true;
        plan();
        serve();
    }

    /** On the planner thread: the table cannot be filled, or the namespace swept; the ledger says why. */
    private void cannotFill(FillTableException e) {
        LOG.error("{} failed: {}", name, e.getMessage());
        ledger.failed(e.getMessage());
        context.runInCoordinatorThread(this::end);
    }

    /** The table cannot be filled: the readers get no chunks and the source ends; the ledger says why. */
    private void end() {
        ended = true;
        pending.clear();
        serve();
    }

    private void fail(String what, Throwable e) {
        if (closed) {
            return; // the enumerator is closing: what failed is of no use any more
        }
        throw new IllegalStateException("fill: " + what + ": " + e.getMessage(), e);
    }

    /** Plans the next chunk unless enough are pending (a few per reader) or planning is done or running. */
    private void plan() {
        if (!ready || ended || planning || cursor.done() || pending.size() >= 2 * context.currentParallelism()) {
            return;
        }
        planning = true;
        PlanCursor from = cursor;
        jdbc.execute(() -> {
            try {
                ChunkPlanner.Step step = planner.next(connection, from).orElseThrow();
                context.runInCoordinatorThread(() -> onPlanned(step));
            } catch (FillTableException e) {
                cannotFill(e);
            } catch (SQLException | RuntimeException e) {
                context.runInCoordinatorThread(() -> fail("cannot plan the chunk at " + from.describe(), e));
            }
        });
    }

    private void onPlanned(ChunkPlanner.Step step) {
        planning = false;
        cursor = step.next();
        pending.put(step.chunk().index(), step.chunk());
        if (cursor.done()) {
            LOG.info("{}: every chunk is planned: {} in all", name, cursor.nextIndex());
        }
        updateCounts();
        serve();
        plan();
    }

    @Override
    public void handleSplitRequest(int subtask, String requesterHostname) {
        waiting.add(subtask);
        serve();
        plan();
    }

    /** Gives pending chunks to waiting readers; tells them there are no more once every chunk is planned and out. */
    private void serve() {
        while (!waiting.isEmpty()) {
            int subtask = waiting.peek();
            if (!context.registeredReaders().containsKey(subtask)) {
                waiting.poll(); // a request of a reader that has gone since: it asks again when it registers
            } else if (!pending.isEmpty()) {
                waiting.poll();
                Chunk chunk = pending.pollFirstEntry().getValue();
                long assignment = nextAssignment++;
                assigned.put(chunk.index(), new Assigned(chunk, subtask, assignment));
                context.assignSplit(new ChunkSplit(chunk, assignment), subtask);
            } else if (ended || (ready && cursor.done())) {
                waiting.poll();
                context.signalNoMoreSplits(subtask);
            } else {
                return; // planning catches up
            }
        }
    }

    @Override
    public void handleSourceEvent(int subtask, SourceEvent event) {
        if (!(event instanceof ChunkFinished finished)) {
            return;
        }
        Assigned a = assigned.get(finished.index());
        if (a == null || a.assignment() != finished.assignment()) {
            LOG.info(
                    "{}: ignoring a late report of chunk {} (assignment {})",
                    name,
                    finished.index(),
                    finished.assignment());
            return;
        }
        assigned.remove(finished.index());
        unconfirmed.put(finished.index(), new Finished(a.chunk(), subtask, finished.rows(), -1));
        LOG.debug("{}: chunk {} finished by subtask {}: {} rows", name, a.chunk(), subtask, finished.rows());
        updateCounts();
        writeProgress(true);
    }

    @Override
    public void addSplitsBack(List<ChunkSplit> splits, int subtask) {
        for (ChunkSplit split : splits) {
            Assigned a = assigned.get(split.chunk().index());
            if (a != null && a.assignment() == split.assignment()) {
                assigned.remove(split.chunk().index());
                pending.put(split.chunk().index(), split.chunk());
            }
        }
        serve();
    }

    /**
     * A reader (re)registers. After its task restarted, what it held is gone: its open chunks, and the rows of the
     * chunks it finished since the checkpoint it restarted from; all of them are read again.
     */
    @Override
    public void addReader(int subtask) {
        waiting.removeIf(s -> s == subtask);
        List<Chunk> back = new ArrayList<>();
        assigned.values().removeIf(a -> a.subtask() == subtask && back.add(a.chunk()));
        unconfirmed.values().removeIf(f -> f.subtask() == subtask && back.add(f.chunk()));
        if (!back.isEmpty()) {
            back.forEach(chunk -> pending.put(chunk.index(), chunk));
            LOG.info("{}: reader {} restarted; reading again {}", name, subtask, back);
            updateCounts();
        }
    }

    @Override
    public FillEnumeratorState snapshotState(long checkpointId) {
        unconfirmed.replaceAll(
                (index, f) -> f.checkpoint() < 0 ? new Finished(f.chunk(), f.subtask(), f.rows(), checkpointId) : f);
        List<Chunk> open = new ArrayList<>(pending.values());
        assigned.values().forEach(a -> open.add(a.chunk()));
        return new FillEnumeratorState(cursor, open, chunksDone, rowsDone);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        unconfirmed.values().removeIf(f -> {
            if (f.checkpoint() < 0 || f.checkpoint() > checkpointId) {
                return false;
            }
            confirmedChunks++;
            confirmedRows += f.rows();
            return true;
        });
        if (!doneRecorded
                && !ended
                && ready
                && cursor.done()
                && pending.isEmpty()
                && assigned.isEmpty()
                && unconfirmed.isEmpty()) {
            doneRecorded = true;
            long chunks = confirmedChunks;
            long rows = confirmedRows;
            LOG.info("{} is done: {} rows in {} chunks, all in completed checkpoints", name, rows, chunks);
            ledger.done(rows, chunks);
        }
    }

    private void updateCounts() {
        long rows = confirmedRows;
        for (Finished f : unconfirmed.values()) {
            rows += f.rows();
        }
        rowsDone = rows;
        chunksDone = confirmedChunks + unconfirmed.size();
        chunksTotal = cursor.done() ? cursor.nextIndex() : -1;
    }

    /** Writes progress to the ledger when it changed, at most once per {@link #PROGRESS_INTERVAL_MS}. */
    private void writeProgress(boolean changed) {
        progressDirty |= changed;
        long now = System.nanoTime();
        if (!progressDirty
                || !ready
                || doneRecorded
                || now - lastProgressNanos < TimeUnit.MILLISECONDS.toNanos(PROGRESS_INTERVAL_MS)) {
            return;
        }
        progressDirty = false;
        lastProgressNanos = now;
        ledger.progress(rowsDone, chunksDone, cursor.describe());
    }

    @Override
    public void close() throws IOException {
        closed = true;
        jdbc.shutdownNow();
        try {
            Connection planning = connection;
            if (planning != null) {
                planning.close(); // ends a planning query in flight (one waiting on a lock, say): of no use now
            }
            ledger.close();
            if (client != null) {
                client.close();
            }
            if (!jdbc.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("{}: the planner thread did not stop within 10 s", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            throw new IOException(name + ": " + e.getMessage(), e);
        }
    }
}
