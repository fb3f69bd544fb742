package io.puffgres.fill;

import io.puffgres.event.Op;
import io.puffgres.event.RowEvent;
import io.puffgres.event.Snapshot;
import io.puffgres.lookup.JdbcRows;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

/**
 * Reads one chunk of a fill in a transaction of its own: {@code REPEATABLE READ READ ONLY}, whose first statement
 * takes the chunk's {@link Snapshot} ({@code pg_current_snapshot()} and the WAL insert position after it), then the
 * chunk's rows in key order with the pushed-down predicate, streamed through a cursor ({@code fetchSize} rows at a
 * time), so memory stays bounded whatever the chunk. A plain snapshot read takes no row lock and waits for none: a
 * transaction holding rows of the chunk does not hold the read up (it reads their committed values).
 *
 * <p>Each row becomes a {@link RowEvent} as the lookups make them ({@link JdbcRows}): op {@link Op#READ}, the row as
 * {@code after}, the snapshot's horizon as LSN, no transaction id, the chunk's start as commit time. Thread-safe (it
 * holds nothing); a {@link Cursor} belongs to one thread.
 */
public final class ChunkReader {

    /** Rows per round trip: large enough that round trips cost little, small enough to hold. */
    public static final int DEFAULT_FETCH_SIZE = 2_000;

    /** Receives a chunk's rows, each with the snapshot it was read in. */
    @FunctionalInterface
    public interface RowSink {
        void accept(RowEvent row, Snapshot snapshot);
    }

    private final FillTable table;
    private final int fetchSize;

    public ChunkReader(FillTable table, int fetchSize) {
        this.table = table;
        this.fetchSize = fetchSize;
    }

    /** Reads {@code chunk} whole into {@code sink}; returns the snapshot it was read in. {@code c} is left idle. */
    public Snapshot read(Connection c, Chunk chunk, RowSink sink) throws SQLException {
        try (Cursor cursor = open(c, chunk)) {
            while (cursor.read(fetchSize, sink) > 0) {
                // until the chunk is exhausted
            }
            return cursor.snapshot();
        }
    }

    /**
     * Starts reading {@code chunk} on {@code c}, which must be idle (no transaction open): the transaction begins and
     * the snapshot is taken. {@code c} is left with auto-commit off.
     */
    public Cursor open(Connection c, Chunk chunk) throws SQLException {
        return new Cursor(c, chunk);
    }

    /**
     * Begins {@code c}'s transaction (auto-commit off, no transaction open) as {@code REPEATABLE READ READ ONLY} and
     * takes its snapshot: {@code pg_current_snapshot()} and, after it, the WAL insert position, its horizon.
     */
    static Snapshot snapshot(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            try (ResultSet rs = s.executeQuery(
                    "SELECT pg_current_snapshot()::text," + " (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint")) {
                rs.next();
                return Snapshot.parse(rs.getString(1), rs.getLong(2));
            }
        }
    }

    /** A chunk being read: its snapshot, then its rows a batch at a time. Not thread-safe, but {@link #cancel}. */
    public final class Cursor implements AutoCloseable {

        private final Connection connection;
        private final Snapshot snapshot;
        private final Instant readAt = Instant.now();
        private final PreparedStatement statement;
        private final ResultSet rows;
        private boolean exhausted;

        private Cursor(Connection c, Chunk chunk) throws SQLException {
            this.connection = c;
            c.setAutoCommit(false); // pgjdbc streams a result through a cursor only inside a transaction
            try {
                snapshot = ChunkReader.snapshot(c);
                statement = c.prepareStatement("SELECT " + table.selectList() + " FROM " + table.relationSql()
                        + " WHERE " + table.range(chunk)
                        + table.predicate().map(p -> " AND (" + p + ")").orElse("")
                        + " ORDER BY " + table.keyList());
                statement.setFetchSize(fetchSize);
                table.bind(statement, chunk, 1);
                rows = statement.executeQuery();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }

        /** The snapshot the chunk is read in. */
        public Snapshot snapshot() {
            return snapshot;
        }

        /** Hands up to {@code max} more rows to {@code sink}; returns how many (0: the chunk is exhausted). */
        public int read(int max, RowSink sink) throws SQLException {
            int n = 0;
            while (n < max && !exhausted) {
                if (!rows.next()) {
                    exhausted = true;
                    break;
                }
                sink.accept(
                        new RowEvent(
                                Op.READ, table.relation(), null, JdbcRows.read(rows), snapshot.horizon(), -1, readAt),
                        snapshot);
                n++;
            }
            return n;
        }

        /** Whether every row of the chunk was handed out. */
        public boolean exhausted() {
            return exhausted;
        }

        /** Stops the running statement from another thread (a closing reader does not wait on Postgres). */
        public void cancel() throws SQLException {
            statement.cancel();
        }

        /** Ends the chunk's transaction (it wrote nothing: a rollback). */
        @Override
        public void close() throws SQLException {
            try {
                rows.close();
                statement.close();
            } finally {
                connection.rollback();
            }
        }
    }
}
