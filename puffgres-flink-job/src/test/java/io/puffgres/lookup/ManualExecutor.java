package io.puffgres.lookup;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;

/** Runs what it is given only when the test says so, on the test's thread: lookups answered at a chosen moment. */
final class ManualExecutor extends AbstractExecutorService {

    private final Queue<Runnable> queued = new ArrayDeque<>();
    private boolean shutdown;

    @Override
    public synchronized void execute(Runnable command) {
        queued.add(command);
    }

    /** Runs everything queued so far; returns how many ran. */
    int runAll() {
        int ran = 0;
        for (Runnable r = next(); r != null; r = next()) {
            r.run();
            ran++;
        }
        return ran;
    }

    private synchronized Runnable next() {
        return queued.poll();
    }

    @Override
    public synchronized void shutdown() {
        shutdown = true;
    }

    @Override
    public synchronized List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> left = List.copyOf(queued);
        queued.clear();
        return left;
    }

    @Override
    public synchronized boolean isShutdown() {
        return shutdown;
    }

    @Override
    public synchronized boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }
}
