package io.puffgres.cli.status;

import io.puffgres.cli.TextTable;
import io.puffgres.stream.WriterMetric;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The live status line of {@code puffgres run}: every {@link #REFRESH} it reads the job's metrics ({@link
 * JobMetrics}) and, on a terminal, rewrites one line in place; otherwise (a log, {@code run --detach}) it prints a
 * plain line as soon as metrics arrive and then every {@link #PLAIN_EVERY}, so the log stays readable. Each line's
 * rate is over the time since the line before (a rate needs two samples: the first line has none). Runs on a
 * daemon thread until {@link #close()}; a run without web UI has no line.
 */
public final class LiveStatus implements AutoCloseable {

    /** How often the line is refreshed: often enough to look live, rarely enough to cost nothing. */
    static final Duration REFRESH = Duration.ofSeconds(2);

    /** How often a log gets a line: a day of log stays under 3,000 status lines. */
    static final Duration PLAIN_EVERY = Duration.ofSeconds(30);

    private final JobMetrics metrics;
    private final PrintWriter out;
    private final boolean terminal;
    private final ScheduledExecutorService timer;
    private Sample previous;
    private int lastLength;

    private LiveStatus(JobMetrics metrics, PrintWriter out, boolean terminal) {
        this.metrics = metrics;
        this.out = out;
        this.terminal = terminal;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "puffgres-live-status");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the line for the job behind {@code restUrl}; does nothing without a REST URL. */
    public static LiveStatus start(Optional<String> restUrl, String jobId, PrintWriter out, boolean terminal) {
        LiveStatus live =
                new LiveStatus(restUrl.map(url -> new JobMetrics(url, jobId)).orElse(null), out, terminal);
        if (live.metrics != null) {
            live.timer.scheduleWithFixedDelay(
                    live::refresh, REFRESH.toMillis(), REFRESH.toMillis(), TimeUnit.MILLISECONDS);
        }
        return live;
    }

    private void refresh() {
        JobMetrics.Snapshot s;
        try {
            s = metrics.read();
        } catch (IOException | RuntimeException e) {
            return; // starting or stopping: the next refresh tries again
        }
        if (s.mappings().isEmpty() || !s.state().equals("RUNNING")) {
            return;
        }
        Instant now = Instant.now();
        synchronized (out) {
            if (terminal) {
                String line = line(s, now, previous);
                out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
                lastLength = line.length();
                out.flush();
            } else if (previous == null || !now.isBefore(previous.at().plus(PLAIN_EVERY))) {
                out.println(now + " " + line(s, now, previous));
                out.flush();
            } else {
                return;
            }
            previous = new Sample((long) s.total(WriterMetric.EVENTS_IN), now);
        }
    }

    /**
     * The events count behind a printed line and when it was read: the next line's rate is the events since then
     * over the time since then.
     */
    record Sample(long events, Instant at) {}

    /**
     * {@code events 1234 (210.5/s), upserts 1200, DLQ 3, last flush 1 s ago, lag 0.4 s}, over every mapping; the lag
     * with its age when it is old ({@link StatusOutput#lag}), and {@code , restarted 3 times} once Flink restarted
     * the job, and in poll mode {@code , polled 1 s ago (120 changes)}. The rate is that since {@code previous} (the sample of the line before); without one, or when the
     * count went down (the job restarted and counts from zero), there is no rate yet: {@code events 1234, …}.
     */
    static String line(JobMetrics.Snapshot s, Instant now, Sample previous) {
        long events = (long) s.total(WriterMetric.EVENTS_IN);
        long restarts = s.restarts().count();
        String poll = s.poll()
                .map(p -> p.lastPollEpochMs() <= 0
                        ? ", no poll yet"
                        : ", polled " + TextTable.ago(Instant.ofEpochMilli(p.lastPollEpochMs()), now) + " (" + p.rows()
                                + (p.rows() == 1 ? " change)" : " changes)"))
                .orElse("");
        return String.format(
                "events %d%s, upserts %d, DLQ %d, last flush %s, lag %s%s%s",
                events,
                rate(events, now, previous)
                        .map(r -> " (" + TextTable.decimal(r) + "/s)")
                        .orElse(""),
                (long) s.total(WriterMetric.UPSERTS),
                (long) s.total(WriterMetric.DLQ),
                StatusOutput.lastFlush(s.max(WriterMetric.LAST_FLUSH_EPOCH_MS), now),
                StatusOutput.lag(s.lag(), now),
                poll,
                restarts == 0 ? "" : ", restarted " + restarts + (restarts == 1 ? " time" : " times"));
    }

    private static Optional<Double> rate(long events, Instant now, Sample previous) {
        if (previous == null || events < previous.events() || !now.isAfter(previous.at())) {
            return Optional.empty();
        }
        double seconds = Duration.between(previous.at(), now).toNanos() / 1e9;
        return Optional.of((events - previous.events()) / seconds);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        synchronized (out) {
            if (terminal && lastLength > 0) {
                out.println(); // end the in-place line before what follows
            }
        }
    }
}
