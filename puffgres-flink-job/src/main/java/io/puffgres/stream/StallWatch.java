package io.puffgres.stream;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one operator's work in flight from a daemon thread of its own: work that is pending (lookups, writes) and
 * has not moved for {@code [flink] stall_after_ms} is a stall. A stall is logged once, with what is pending and what
 * the operator's threads are doing; {@link #stalledMillis()} (a gauge) shows it while it lasts; one that lasts {@code
 * [flink] stall_timeout_ms} fails the task, so that Flink restarts the job from its last checkpoint.
 *
 * <p>Threading: {@link #progressed()} is called by the operator (any thread); {@code pending} is called from the
 * watch thread, so it reads only what is safe to read there (volatile fields). The clock of a stall starts at the
 * last progress or at the first check that found work pending, whichever is later: an operator idle for an hour is
 * not stalled the moment work arrives.
 */
public final class StallWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StallWatch.class);

    /** Frames of a thread's stack the stall report shows. */
    static final int STACK_DEPTH = 24;

    /** Checks often enough to report a stall within a second of its threshold, and at most every second. */
    static final long MAX_CHECK_INTERVAL_MS = 1000;

    private final String name;
    private final Supplier<String> pending;
    private final long stallAfterMs;
    private final long stallTimeoutMs;
    private final Thread taskThread;
    private final String helperThreadPrefix;
    private final Consumer<Throwable> fail;
    private final LongSupplier clock;
    private final ScheduledExecutorService timer;

    private volatile long lastProgressMs;
    private volatile long lastActivityMs;
    private volatile long stalledSinceMs; // 0: not stalled
    private boolean reported; // watch thread only
    private boolean failed; // watch thread only

    /**
     * @param name the operator, for the log ({@code pages: lookup (1/2)})
     * @param pending what is pending, in words, or null when nothing is (called from the watch thread)
     * @param taskThread the thread the operator runs on, whose stack a report shows
     * @param helperThreadPrefix threads of the operator's own (lookup workers) whose state a report shows; may be null
     * @param fail fails the operator's task (Flink then restarts the job)
     */
    StallWatch(
            String name,
            Supplier<String> pending,
            long stallAfterMs,
            long stallTimeoutMs,
            Thread taskThread,
            String helperThreadPrefix,
            Consumer<Throwable> fail,
            LongSupplier clock) {
        this.name = name;
        this.pending = pending;
        this.stallAfterMs = stallAfterMs;
        this.stallTimeoutMs = stallTimeoutMs;
        this.taskThread = taskThread;
        this.helperThreadPrefix = helperThreadPrefix;
        this.fail = fail;
        this.clock = clock;
        this.lastProgressMs = clock.getAsLong();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "puffgres-stall-watch " + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the checks. */
    StallWatch start() {
        long every = Math.max(10, Math.min(MAX_CHECK_INTERVAL_MS, stallAfterMs / 4));
        timer.scheduleWithFixedDelay(this::checkSafely, every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Pending work moved on (a lookup answered, a write acknowledged). */
    public void progressed() {
        lastProgressMs = clock.getAsLong();
    }

    /**
     * The pending work is alive without moving (a write is being retried): still a stall to show, but not one to
     * fail the task for, as the retries have their own limit ({@code [turbopuffer] max_retries}).
     */
    public void active() {
        lastActivityMs = clock.getAsLong();
    }

    /** How long the operator has been stalled, 0 when it is not. */
    public long stalledMillis() {
        long since = stalledSinceMs;
        return since == 0 ? 0 : Math.max(1, clock.getAsLong() - since);
    }

    private void checkSafely() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.warn("{}: the stall watch failed to check: {}", name, e.toString());
        }
    }

    /** One check; the watch thread's, and tests'. */
    void check() {
        long now = clock.getAsLong();
        String what = pending.get();
        if (what == null) {
            lastProgressMs = now; // idle: a stall can only start from here
        }
        long quiet = now - lastProgressMs;
        if (what == null || quiet < stallAfterMs) {
            if (reported) {
                LOG.warn(
                        "{}: moving again after {} stalled",
                        name,
                        Durations.human(Duration.ofMillis(now - stalledSinceMs)));
            }
            stalledSinceMs = 0;
            reported = false;
            failed = false;
            return;
        }
        if (!reported) {
            reported = true;
            stalledSinceMs = lastProgressMs;
            LOG.warn(
                    "{}: STALLED: {}; nothing has moved for {}{}\n{}",
                    name,
                    what,
                    Durations.human(Duration.ofMillis(quiet)),
                    stallTimeoutMs > 0
                            ? " (the job restarts from its last checkpoint after "
                                    + Durations.human(Duration.ofMillis(stallTimeoutMs)) + ": [flink] stall_timeout_ms)"
                            : "",
                    threadSummary());
        }
        long dead = now - Math.max(lastProgressMs, lastActivityMs);
        if (stallTimeoutMs > 0 && dead >= stallTimeoutMs && !failed) {
            failed = true;
            fail.accept(new StalledException(name + ": stalled for " + Durations.human(Duration.ofMillis(dead)) + ": "
                    + what + " (hint: [flink] stall_timeout_ms; the log above the restart shows the threads)"));
        }
    }

    /** The stack of the task thread and the state of the operator's helper threads. */
    String threadSummary() {
        StringBuilder s = new StringBuilder();
        appendThread(s, taskThread, taskThread.getStackTrace());
        if (helperThreadPrefix != null) {
            Thread.getAllStackTraces().forEach((t, stack) -> {
                if (t.getName().startsWith(helperThreadPrefix)) {
                    appendThread(s, t, Arrays.copyOf(stack, Math.min(stack.length, 4)));
                }
            });
        }
        return s.toString();
    }

    private static void appendThread(StringBuilder s, Thread t, StackTraceElement[] stack) {
        s.append("  thread \"")
                .append(t.getName())
                .append("\" ")
                .append(t.getState())
                .append('\n');
        s.append(Arrays.stream(stack).limit(STACK_DEPTH).map(f -> "    at " + f).collect(Collectors.joining("\n")));
        s.append('\n');
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** Why a stalled task was failed. */
    public static final class StalledException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StalledException(String message) {
            super(message);
        }
    }
}
