package io.puffgres.poll;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * The poll source's metrics, on its reader: {@code pollLastTime} (epoch ms of the last finished poll, 0 before one),
 * {@code pollRows} (changes the last poll emitted), {@code polls} and {@code pollsEmpty} (polls, and those that
 * returned no change: nothing, or only empty transactions), {@code pollWaitMs} (the wait before the next poll, back-off included), {@code pollReadLsn} (the
 * WAL position the reading slot has read through) and {@code pollConfirmedLsn} (where the last completed checkpoint
 * moved the job's slot); both positions are unsigned 64-bit numbers, 0 before known. Written by the source's threads,
 * read by Flink's metric threads.
 */
final class PollFigures {

    volatile long lastTime;
    volatile long rows;
    volatile long waitMs;
    volatile long readLsn;
    volatile long confirmedLsn;
    final Counter polls;
    final Counter empty;

    PollFigures(MetricGroup group) {
        group.gauge("pollLastTime", (Gauge<Long>) () -> lastTime);
        group.gauge("pollRows", (Gauge<Long>) () -> rows);
        group.gauge("pollWaitMs", (Gauge<Long>) () -> waitMs);
        group.gauge("pollReadLsn", (Gauge<Long>) () -> readLsn);
        group.gauge("pollConfirmedLsn", (Gauge<Long>) () -> confirmedLsn);
        polls = group.counter("polls");
        empty = group.counter("pollsEmpty");
    }
}
