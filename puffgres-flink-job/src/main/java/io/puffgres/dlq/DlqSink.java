package io.puffgres.dlq;

import io.puffgres.stream.JobSpec;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes DLQ entries into Postgres as they arrive (each insert commits before the next record, so before the
 * checkpoint barrier that follows it). With {@code --strict}, the first entry stops the job after it is recorded:
 * no checkpoint passes the bad change, so the replication slot does not either.
 */
public final class DlqSink implements Sink<DlqEntry> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DlqSink.class);

    private final JobSpec spec;

    public DlqSink(JobSpec spec) {
        this.spec = spec;
    }

    @Override
    @SuppressWarnings("deprecation")
    public SinkWriter<DlqEntry> createWriter(InitContext context) throws IOException {
        try {
            return new Writer(spec);
        } catch (SQLException e) {
            throw new IOException("cannot open the DLQ table: " + e.getMessage(), e);
        }
    }

    private static final class Writer implements SinkWriter<DlqEntry> {
        private final JobSpec spec;
        private final DlqTable table;
        private final Connection connection;

        Writer(JobSpec spec) throws SQLException {
            this.spec = spec;
            this.table = new DlqTable(spec.stateSchema());
            this.connection = spec.connect();
            table.ensure(connection);
        }

        @Override
        public void write(DlqEntry entry, Context context) throws IOException {
            try {
                boolean fresh = table.insert(connection, entry);
                if (fresh) {
                    LOG.warn("DLQ: {}", entry);
                }
            } catch (SQLException e) {
                throw new IOException("cannot write to " + table.name() + ": " + e.getMessage(), e);
            }
            if (spec.strict()) {
                throw new SuppressRestartsException(new StrictModeException(entry, table.name()));
            }
        }

        @Override
        public void flush(boolean endOfInput) {}

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }

    /**
     * {@code --strict}: records {@code entry} at once and stops the job without restarts, so the operator that met
     * the bad change goes no further and no checkpoint (hence no slot position) passes it.
     */
    public static void recordAndStop(JobSpec spec, DlqEntry entry) {
        DlqTable table = new DlqTable(spec.stateSchema());
        try (Connection c = spec.connect()) {
            table.ensure(c);
            table.insert(c, entry);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot write to " + table.name() + ": " + e.getMessage(), e);
        }
        LOG.warn("DLQ: {}", entry);
        throw new SuppressRestartsException(new StrictModeException(entry, table.name()));
    }

    /** Why a {@code --strict} job stopped. */
    public static final class StrictModeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StrictModeException(DlqEntry entry, String table) {
            super("--strict: stopped at a change that could not be applied (" + entry + "); it is recorded in " + table
                    + "; fix the cause and run again, or run without --strict to move past DLQ entries");
        }
    }
}
