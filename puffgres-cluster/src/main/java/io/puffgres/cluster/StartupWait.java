package io.puffgres.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Waits for a cluster's processes to come up, as seen from the REST API, and fails as soon as one of them exits: a
 * process that died will not register, so waiting out the timeout would only hide its log.
 */
public final class StartupWait {

    /** How often the REST API is asked; a registration takes a second or more, so this costs nothing. */
    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);

    /**
     * A process being waited for.
     *
     * @param name its name in messages ({@code taskmanager-2})
     * @param log where to look when it fails
     */
    public record Watched(String name, ProcessHandle process, Path log) {}

    private StartupWait() {}

    /**
     * Returns once {@code ready} holds.
     *
     * @param what what is awaited, for the message ({@code "taskmanager-2 to register"})
     * @throws IllegalStateException with one line and the log to read when a watched process exits, or {@code
     *     timeout} passes
     */
    public static void until(String what, Duration timeout, BooleanSupplier ready, List<Watched> watched) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            for (Watched w : watched) {
                if (!w.process().isAlive()) {
                    throw new IllegalStateException(
                            "waiting for " + what + ": " + w.name() + " exited; see " + w.log());
                }
            }
            if (System.nanoTime() > deadline) {
                String logs =
                        watched.isEmpty() ? "" : "; see " + watched.get(0).log().getParent();
                throw new IllegalStateException(
                        "waiting for " + what + ": not done after " + timeout.toSeconds() + " s" + logs);
            }
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }
}
