package io.puffgres.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Stops a running job on Ctrl-C (SIGINT) or SIGTERM: the first signal stops it with a savepoint (every buffered
 * write is flushed and acknowledged first, the next run resumes from it); a second one cancels at once (the
 * retained checkpoints stay). The process then ends normally, once the job has.
 */
final class GracefulStop implements AutoCloseable {

    private final JobClient job;
    private final Path savepointDir;
    private final PrintWriter out;
    private final AtomicInteger signals = new AtomicInteger();
    private final List<Restore> previous = new ArrayList<>();
    private volatile String savepoint;

    private record Restore(Signal signal, SignalHandler handler) {}

    GracefulStop(JobClient job, Path savepointDir, PrintWriter out) {
        this.job = job;
        this.savepointDir = savepointDir;
        this.out = out;
    }

    /** Takes over SIGINT and SIGTERM until {@link #close()}. */
    GracefulStop install() {
        for (String name : List.of("INT", "TERM")) {
            Signal signal = new Signal(name);
            previous.add(new Restore(signal, Signal.handle(signal, s -> request())));
        }
        return this;
    }

    /** Whether a stop was asked for (the job ending is then the expected outcome). */
    boolean requested() {
        return signals.get() > 0;
    }

    /** The savepoint taken by the stop, or null. */
    String savepoint() {
        return savepoint;
    }

    /** What a signal does; also callable directly. */
    void request() {
        if (signals.incrementAndGet() == 1) {
            out.println();
            out.println("stopping: flushing and taking a savepoint (Ctrl-C again to cancel at once)");
            job.stopWithSavepoint(false, savepointDir.toUri().toString(), SavepointFormatType.CANONICAL)
                    .whenComplete((path, error) -> {
                        if (error == null) {
                            savepoint = path;
                        } else {
                            out.println("the savepoint failed (" + error.getMessage() + "); cancelling");
                            cancel();
                        }
                    });
        } else {
            out.println("cancelling (the retained checkpoints stay; the next run resumes from the newest)");
            cancel();
        }
    }

    private void cancel() {
        CompletableFuture<Void> cancelled = job.cancel();
        cancelled.exceptionally(e -> null); // already gone
    }

    @Override
    public void close() {
        previous.forEach(r -> Signal.handle(r.signal(), r.handler()));
    }
}
