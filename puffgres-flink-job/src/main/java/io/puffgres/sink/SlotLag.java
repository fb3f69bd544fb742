package io.puffgres.sink;

import io.puffgres.stream.JobSpec;
import io.puffgres.stream.WriterMetric;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.Gauge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's replication lag in bytes, as a gauge: the WAL from the slot's confirmed position (which moves when a
 * checkpoint completes) to the server's current position, the WAL Postgres keeps for puffgres. {@code puffgres
 * status} shows the same figure. Read every {@link #PERIOD} on a daemon thread of its own over one connection, so
 * neither the task nor Flink's metric threads wait for Postgres; -1 before the first read and while reads fail
 * (each failure streak is logged once, and the next read connects again).
 */
final class SlotLag implements Gauge<Long>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SlotLag.class);

    static final Duration PERIOD = Duration.ofSeconds(5);

    private final JobSpec spec;
    private final ScheduledExecutorService reader;
    /** The reader thread's. */
    private Connection connection;

    private boolean failing;
    private volatile long bytes = -1;

    SlotLag(JobSpec spec, String threadName) {
        this.spec = spec;
        this.reader = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        reader.scheduleWithFixedDelay(this::read, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public Long getValue() {
        return bytes;
    }

    private void read() {
        try {
            if (connection == null) {
                connection = spec.connect();
            }
            try (PreparedStatement s = connection.prepareStatement(
                    "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint"
                            + " FROM pg_replication_slots WHERE slot_name = ?")) {
                s.setString(1, spec.slot());
                try (ResultSet rs = s.executeQuery()) {
                    bytes = rs.next() && rs.getObject(1) != null ? rs.getLong(1) : -1;
                }
            }
            failing = false;
        } catch (SQLException | RuntimeException e) { // a task of the executor that throws is never run again
            bytes = -1;
            closeConnection();
            if (!failing) {
                failing = true;
                LOG.warn(
                        "cannot read the lag of slot {} (metric {} reads -1 until it can): {}",
                        spec.slot(),
                        WriterMetric.SLOT_LAG_BYTES.id(),
                        e.getMessage());
            }
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the connection is being dropped anyway
            }
            connection = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        reader.shutdownNow();
        if (reader.awaitTermination(10, TimeUnit.SECONDS)) {
            closeConnection();
        }
    }
}
