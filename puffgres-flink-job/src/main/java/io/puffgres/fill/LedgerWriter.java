package io.puffgres.fill;

import io.puffgres.stream.JobSpec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one fill's row of the {@link FillLedger} from the enumerator, in order, on a thread and connection of its
 * own: a planning query that waits (on a table lock, a slow plan) does not hold up the progress that {@code status}
 * shows, and the coordinator thread never waits for Postgres. A failed progress write is logged and left to the next
 * one; a failed start, end or failure record goes to {@code onError} (the enumerator fails the job, whose restart
 * writes it again).
 */
final class LedgerWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerWriter.class);

    @FunctionalInterface
    private interface Write {
        void to(Connection c) throws SQLException;
    }

    private final JobSpec spec;
    private final FillLedger ledger;
    private final long fillId;
    private final String name;
    private final Consumer<Throwable> onError;
    private final ExecutorService thread;
    private Connection connection;

    LedgerWriter(JobSpec spec, long fillId, String name, Consumer<Throwable> onError) {
        this.spec = spec;
        this.ledger = new FillLedger(spec.stateSchema());
        this.fillId = fillId;
        this.name = name;
        this.onError = onError;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name + ": ledger");
            t.setDaemon(true);
            return t;
        });
    }

    void started(long rowsEstimate) {
        write("its start", true, c -> ledger.started(c, fillId, rowsEstimate));
    }

    void progress(long rowsDone, long chunksDone, String cursor) {
        write("its progress", false, c -> ledger.progress(c, fillId, rowsDone, chunksDone, cursor));
    }

    void done(long rowsDone, long chunksDone) {
        write("its end", true, c -> ledger.done(c, fillId, rowsDone, chunksDone));
    }

    void failed(String error) {
        write("its failure", true, c -> ledger.failed(c, fillId, error));
    }

    private void write(String what, boolean required, Write write) {
        thread.execute(() -> {
            try {
                if (connection == null) {
                    connection = spec.connect();
                    ledger.ensure(connection);
                }
                write.to(connection);
            } catch (SQLException | RuntimeException e) {
                LOG.warn("{}: cannot write {} to {}: {}", name, what, ledger.name(), e.getMessage());
                closeConnection(); // a broken connection is opened anew by the next write
                if (required) {
                    onError.accept(e);
                }
            }
        });
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // it was broken
            }
            connection = null;
        }
    }

    /** Writes what is queued (the ledger's last word), for at most 10 s, then closes the connection. */
    @Override
    public void close() throws InterruptedException {
        thread.execute(this::closeConnection);
        thread.shutdown();
        if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
            LOG.warn("{}: the ledger's writes did not finish within 10 s", name);
            thread.shutdownNow();
        }
    }
}
