package io.puffgres.poll;

import io.puffgres.event.RowEvent;
import io.puffgres.stream.JobSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the job's slot forward ({@code pg_replication_slot_advance}) to the position of each completed checkpoint, on a
 * thread and connection of its own, so neither the task nor a poll in progress waits for it. A failed advance is
 * logged (once per failure streak) and made good by the next checkpoint's; until then the slot keeps more WAL, which
 * the slot lag shows.
 */
final class SlotAdvancer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SlotAdvancer.class);

    private final JobSpec spec;
    private final String slot;
    private final PollFigures figures;
    private final ExecutorService thread;

    /** The thread's. */
    private Connection connection;

    private long advanced;
    private boolean failing;

    SlotAdvancer(JobSpec spec, String slot, PollFigures figures, String threadName) {
        this.spec = spec;
        this.slot = slot;
        this.figures = figures;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Moves the slot to {@code lsn} soon (in order with earlier calls), unless it is there already. */
    void advanceTo(long lsn) {
        thread.execute(() -> advance(lsn));
    }

    /** Then drops {@code readingSlot}, once the reader no longer reads it (on the same thread, after every advance). */
    void dropAfterwards(String readingSlot) {
        thread.execute(() -> {
            try {
                SlotCalls.dropIfExists(connection(), readingSlot);
            } catch (SQLException e) {
                LOG.info(
                        "could not drop the reading slot {} (the next start replaces it): {}",
                        readingSlot,
                        e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void advance(long lsn) {
        if (lsn == 0 || Long.compareUnsigned(lsn, advanced) <= 0) {
            return;
        }
        try {
            advanced = SlotCalls.advance(connection(), slot, lsn);
            figures.confirmedLsn = advanced;
            if (failing) {
                LOG.info("slot {} moves forward again, now at {}", slot, RowEvent.lsnText(advanced));
            }
            failing = false;
        } catch (SQLException e) {
            if (!failing) {
                LOG.warn(
                        "could not move slot {} to {} after a checkpoint (the next checkpoint tries again; until then"
                                + " Postgres keeps the WAL): {}",
                        slot,
                        RowEvent.lsnText(lsn),
                        e.getMessage());
            }
            failing = true;
            closeConnection();
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = spec.connect();
        }
        return connection;
    }

    private void closeConnection() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            LOG.debug("closing the slot connection failed", e);
        }
        connection = null;
    }

    /** Finishes the advances and drops asked for (up to 30 s), then closes the connection. */
    @Override
    public void close() throws InterruptedException {
        thread.execute(this::closeConnection);
        thread.shutdown();
        if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
            thread.shutdownNow();
        }
    }
}
