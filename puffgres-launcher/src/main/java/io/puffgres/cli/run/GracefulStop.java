package io.puffgres.cli.run;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Stops a running job on Ctrl-C (SIGINT) or SIGTERM: the first signal stops it with a savepoint (every buffered
 * write is flushed and acknowledged first, the next run resumes from it); a second Ctrl-C cancels at once (the
 * retained checkpoints stay). A repeated SIGTERM is the same stop, never a cancel: {@code timeout} sends it to the
 * process and to its process group, and {@code puffgres stop} may be run twice. The process then ends normally,
 * once the job has. Signal handlers run on threads of their own; the methods are thread-safe.
 */
final class GracefulStop implements AutoCloseable {

    private final JobClient job;
    private final Delays delays;
    private final String savepointDir;
    private final PrintWriter out;
    static final int ATTEMPTS = 5;
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    private static final Duration STATUS_POLL = Duration.ofMillis(200);
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(30);

    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final List<Restore> previous = new ArrayList<>();
    private volatile String savepoint;
    /** The stop with a savepoint asked for last, until it completes. */
    private volatile CompletableFuture<String> asked;

    private record Restore(Signal signal, SignalHandler handler) {}

    /** Runs a task after a pause (a test runs them by hand). */
    interface Delays {
        void after(Duration pause, Runnable task);
    }

    GracefulStop(JobClient job, String savepointDir, PrintWriter out) {
        this(
                job,
                savepointDir,
                out,
                (pause, task) -> CompletableFuture.delayedExecutor(pause.toMillis(), TimeUnit.MILLISECONDS)
                        .execute(task));
    }

    GracefulStop(JobClient job, String savepointDir, PrintWriter out, Delays delays) {
        this.delays = delays;
        this.job = job;
        this.savepointDir = savepointDir;
        this.out = out;
    }

    /** Takes over SIGINT and SIGTERM until {@link #close()}. */
    GracefulStop install() {
        Signal interrupt = new Signal("INT");
        previous.add(new Restore(interrupt, Signal.handle(interrupt, s -> interrupt())));
        Signal terminate = new Signal("TERM");
        previous.add(new Restore(terminate, Signal.handle(terminate, s -> terminate())));
        return this;
    }

    /** Whether a stop was asked for (the job ending is then the expected outcome). */
    boolean requested() {
        return stopping.get();
    }

    /**
     * The savepoint taken by the stop, or null. Called once the job has ended: the job's end can be known before the
     * savepoint's own answer (a remote cluster's REST API answers both, each polled on its own), so an answer still
     * to come is waited for, up to {@link #ANSWER_WAIT}.
     */
    String savepoint() {
        CompletableFuture<String> last = asked;
        if (savepoint == null && last != null && !cancelled.get()) {
            try {
                return last.get(ANSWER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                return savepoint; // failed or no answer: cancelled, or asked again meanwhile
            }
        }
        return savepoint;
    }

    /** Ctrl-C (SIGINT): the first stops with a savepoint, the next one cancels. */
    void interrupt() {
        if (!stop("Ctrl-C again to cancel at once")) {
            out.println("cancelling (the retained checkpoints stay; the next run resumes from the newest)");
            cancel();
        }
    }

    /** SIGTERM: stops with a savepoint; once stopping, another SIGTERM changes nothing. */
    void terminate() {
        if (!stop("Ctrl-C or kill -INT cancels at once")) {
            out.println("SIGTERM again: still stopping with a savepoint (Ctrl-C or kill -INT cancels at once)");
        }
    }

    /** The run's work is done ({@code why}, e.g. every fill of a backfill): stops with a savepoint, as SIGTERM does. */
    void finished(String why) {
        out.println(why + ".");
        terminate();
    }

    /** Starts the stop with a savepoint, unless one has started already; returns whether this call started it. */
    private boolean stop(String howToCancel) {
        if (!stopping.compareAndSet(false, true)) {
            return false;
        }
        out.println();
        out.println("stopping: flushing and taking a savepoint (" + howToCancel + ")");
        savepoint(1);
        return true;
    }

    /**
     * Asks for the stop with a savepoint. A failed one is asked again, up to {@link #ATTEMPTS} times, once the job runs
     * again after a pause that doubles: a savepoint fails when a task ends while it is taken (a fill source finishing,
     * "checkpoint request for unknown task") and the job restarts from its last checkpoint. Then it cancels.
     */
    private void savepoint(int attempt) {
        CompletableFuture<String> stop = job.stopWithSavepoint(false, savepointDir, SavepointFormatType.CANONICAL);
        asked = stop;
        stop.whenComplete((path, error) -> {
            if (error == null) {
                savepoint = path;
            } else if (cancelled.get()) {
                return;
            } else if (attempt < ATTEMPTS) {
                out.println("the savepoint failed (" + error.getMessage() + "); asking again once the job runs ("
                        + (attempt + 1) + " of " + ATTEMPTS + ")");
                whenRunning(RETRY_PAUSE.multipliedBy(1L << (attempt - 1)), () -> savepoint(attempt + 1));
            } else {
                out.println("the savepoint failed " + ATTEMPTS + " times (" + error.getMessage() + "); cancelling");
                cancel();
            }
        });
    }

    /** Runs {@code then} after {@code pause}, once the job runs; never when it has ended or was cancelled. */
    private void whenRunning(Duration pause, Runnable then) {
        delays.after(
                pause,
                () -> job.getJobStatus().whenComplete((status, error) -> {
                    if (error != null || cancelled.get() || status.isGloballyTerminalState()) {
                        return;
                    }
                    if (status == JobStatus.RUNNING) {
                        then.run();
                    } else {
                        whenRunning(STATUS_POLL, then);
                    }
                }));
    }

    private void cancel() {
        cancelled.set(true);
        CompletableFuture<Void> cancelled = job.cancel();
        cancelled.exceptionally(e -> null); // already gone
    }

    @Override
    public void close() {
        previous.forEach(r -> Signal.handle(r.signal(), r.handler()));
    }
}
