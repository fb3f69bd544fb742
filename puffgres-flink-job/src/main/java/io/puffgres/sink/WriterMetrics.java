package io.puffgres.sink;

import io.puffgres.pipeline.Outcome;
import io.puffgres.stream.WriterMetric;
import java.util.List;
import java.util.function.IntSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The metrics of one {@code <mapping>: apply + write} subtask ({@link WriterMetric}): counters the writer bumps on
 * the task thread, and what an acknowledged write tells (latency, last flush, lag). Gauges are read by Flink's metric
 * thread, so what they show is volatile or a racy read of an int.
 */
final class WriterMetrics {

    final Counter eventsIn;
    final Counter skips;
    final Counter deletesSkipped;
    final Counter stale;
    final Counter fillRowsStale;
    final Counter changesInFill;
    final Counter dlq;
    /** Bumped by the client's threads. */
    final Counter retries;

    private final Counter upserts;
    private final Counter deletes;
    private final Counter batches;
    private final Histogram writeLatency;
    private volatile long lastFlushMs;
    /** At the last acknowledged write: its acknowledgement time minus the commit time of its newest change. */
    private volatile long lagMs;

    private volatile long lagAtMs;

    /**
     * @param pendingRows the rows buffered, not yet sent
     * @param writesInFlight the requests sent and not yet acknowledged
     */
    WriterMetrics(MetricGroup group, IntSupplier pendingRows, IntSupplier writesInFlight) {
        eventsIn = group.counter(WriterMetric.EVENTS_IN.id());
        upserts = group.counter(WriterMetric.UPSERTS.id());
        deletes = group.counter(WriterMetric.DELETES.id());
        deletesSkipped = group.counter(WriterMetric.DELETES_SKIPPED.id());
        skips = group.counter(WriterMetric.SKIPS.id());
        stale = group.counter(WriterMetric.STALE_DROPPED.id());
        fillRowsStale = group.counter(WriterMetric.FILL_ROWS_STALE.id());
        changesInFill = group.counter(WriterMetric.CHANGES_IN_FILL.id());
        dlq = group.counter(WriterMetric.DLQ.id());
        batches = group.counter(WriterMetric.BATCHES.id());
        retries = group.counter(WriterMetric.RETRIES.id(), new ThreadSafeSimpleCounter());
        group.meter(WriterMetric.EVENTS_PER_SECOND.id(), new MeterView(eventsIn, WriterMetric.RATE_WINDOW_SECONDS));
        group.meter(WriterMetric.BATCHES_PER_SECOND.id(), new MeterView(batches, WriterMetric.RATE_WINDOW_SECONDS));
        writeLatency = group.histogram(WriterMetric.WRITE_LATENCY_MS.id(), new DescriptiveStatisticsHistogram(1000));
        group.gauge(WriterMetric.LAST_FLUSH_EPOCH_MS.id(), () -> lastFlushMs);
        group.gauge(WriterMetric.LAG_MS.id(), () -> lagMs);
        group.gauge(WriterMetric.LAG_AT_EPOCH_MS.id(), () -> lagAtMs);
        group.gauge(WriterMetric.PENDING_ROWS.id(), pendingRows::getAsInt);
        group.gauge(WriterMetric.WRITES_IN_FLIGHT.id(), writesInFlight::getAsInt);
    }

    /** turbopuffer acknowledged {@code batch}, sent at {@code startNanos} ({@link System#nanoTime()}). */
    void acknowledged(List<Pending> batch, long startNanos) {
        batches.inc();
        writeLatency.update((System.nanoTime() - startNanos) / 1_000_000);
        flushed();
        long newestCommit = 0;
        for (Pending p : batch) {
            (p.write() instanceof Outcome.Upsert ? upserts : deletes).inc();
            if (!p.fill()) { // the lag is the stream's: a fill row's time is when it was read
                newestCommit = Math.max(newestCommit, p.event().commitTime().toEpochMilli());
            }
        }
        if (newestCommit > 0) { // snapshot rows carry no commit time
            lagMs = Math.max(0, lastFlushMs - newestCommit);
            lagAtMs = lastFlushMs;
        }
    }

    /** A write (a batch, a TRUNCATE's delete) was acknowledged now. */
    void flushed() {
        lastFlushMs = System.currentTimeMillis();
    }
}
