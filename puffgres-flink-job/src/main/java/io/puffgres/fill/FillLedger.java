package io.puffgres.fill;

import io.puffgres.dlq.DlqTable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The fills of a project, in the Postgres table {@code <state schema>.fills}: what was asked for (mapping, version,
 * namespace, why), where each stands (pending, running, done, failed) and its progress (rows and chunks done, the
 * planning cursor). The CLI requests fills and reads them ({@code backfill}, {@code status}); the fill source records
 * its start, progress (at most once a second), end or failure. Created on first use under an advisory lock, like the
 * DLQ table. Plain JDBC: every method runs on the caller's connection, in auto-commit.
 */
public final class FillLedger {

    /** Why a fill was asked for. */
    public enum Reason {
        INITIAL,
        NEW_MAPPING,
        NEW_VERSION,
        BACKFILL,
        REPAIR,
        /** Filled before puffgres kept this ledger (by Flink CDC's snapshot): recorded done, never read. */
        ADOPTED;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Reason of(String word) {
            return valueOf(word.toUpperCase(Locale.ROOT));
        }
    }

    /** Where a fill stands. */
    public enum State {
        PENDING,
        RUNNING,
        DONE,
        FAILED;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        static State of(String word) {
            return valueOf(word.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * One row of the ledger.
     *
     * @param rowsEstimate the table's estimated rows when the fill started; -1 unknown
     * @param rowsDone rows of the chunks finished (read and handed on)
     * @param cursor the planning cursor: the next chunk's lower bound ({@link PlanCursor#describe()})
     */
    public record Fill(
            long id,
            String mapping,
            int version,
            String namespace,
            Reason reason,
            State state,
            Instant requestedAt,
            Optional<Instant> startedAt,
            Optional<Instant> finishedAt,
            long rowsEstimate,
            long rowsDone,
            long chunksDone,
            Optional<String> cursor,
            Optional<String> error) {

        /**
         * Whether the namespace holds every row of this fill: it is done (an adopted fill is recorded done). A run fills
         * a mapping version whose newest fill is not ({@code job.FillPlan}); {@code verify} compares only one whose
         * newest fill is.
         */
        public boolean filled() {
            return state == State.DONE;
        }
    }

    private final String schema;

    /** @param schema the state schema ({@code [state] schema}); a plain lower-case identifier */
    public FillLedger(String schema) {
        this.schema = DlqTable.checkSchema(schema);
    }

    public String name() {
        return schema + ".fills";
    }

    /** Creates the schema and table when missing. */
    public void ensure(Connection c) throws SQLException {
        DlqTable.createTable(
                c,
                schema,
                "CREATE TABLE IF NOT EXISTS " + name() + " ("
                        + "id bigserial PRIMARY KEY,"
                        + "mapping text NOT NULL,"
                        + "version int NOT NULL,"
                        + "namespace text NOT NULL,"
                        + "reason text NOT NULL"
                        + " CHECK (reason IN ('initial', 'new_mapping', 'new_version', 'backfill', 'repair', 'adopted')),"
                        + "state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'failed')),"
                        + "requested_at timestamptz NOT NULL DEFAULT now(),"
                        + "started_at timestamptz,"
                        + "finished_at timestamptz,"
                        + "rows_estimate bigint NOT NULL DEFAULT -1,"
                        + "rows_done bigint NOT NULL DEFAULT 0,"
                        + "chunks_done bigint NOT NULL DEFAULT 0,"
                        + "cursor text,"
                        + "error text)");
    }

    /** Whether the ledger's table exists (a project that never ran with fills has none). */
    public boolean exists(Connection c) throws SQLException {
        return DlqTable.tableExists(c, name());
    }

    /** Records a new fill, pending; returns its id (the {@link FillRequest#fillId()} of its source). */
    public long request(Connection c, String mapping, int version, String namespace, Reason reason)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO " + name() + " (mapping, version, namespace, reason) VALUES (?, ?, ?, ?) RETURNING id")) {
            ps.setString(1, mapping);
            ps.setInt(2, version);
            ps.setString(3, namespace);
            ps.setString(4, reason.word());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The fills of {@code mapping} that are not done (pending, running, failed), oldest first. */
    public List<Fill> pending(Connection c, String mapping) throws SQLException {
        return select(c, "WHERE state <> 'done' AND mapping = ? ORDER BY id", mapping);
    }

    /** Every fill of {@code mapping}, any version and state, oldest first. */
    public List<Fill> of(Connection c, String mapping) throws SQLException {
        return select(c, "WHERE mapping = ? ORDER BY id", mapping);
    }

    /** Every fill that is not done, oldest first. */
    public List<Fill> open(Connection c) throws SQLException {
        return select(c, "WHERE state <> 'done' ORDER BY id", null);
    }

    /** The newest fill of {@code mapping} at {@code version}, whatever its state. */
    public Optional<Fill> latest(Connection c, String mapping, int version) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(SELECT + name() + " WHERE mapping = ? AND version = ? ORDER BY id DESC LIMIT 1")) {
            ps.setString(1, mapping);
            ps.setInt(2, version);
            return read(ps).stream().findFirst();
        }
    }

    public Optional<Fill> get(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + name() + " WHERE id = ?")) {
            ps.setLong(1, id);
            return read(ps).stream().findFirst();
        }
    }

    /** The fill's source started (or restarted): running, with the table's estimate; the first start is kept. */
    public void started(Connection c, long id, long rowsEstimate) throws SQLException {
        update(
                c,
                "state = 'running', started_at = coalesce(started_at, now()), rows_estimate = ?, error = NULL",
                id,
                rowsEstimate);
    }

    /** Progress: rows and chunks done, and the planning cursor. Callers write it at most once a second. */
    public void progress(Connection c, long id, long rowsDone, long chunksDone, String cursor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + name()
                + " SET rows_done = ?, chunks_done = ?, cursor = ? WHERE id = ? AND state <> 'done'")) {
            ps.setLong(1, rowsDone);
            ps.setLong(2, chunksDone);
            ps.setString(3, cursor);
            ps.setLong(4, id);
            ps.executeUpdate();
        }
    }

    /** Every chunk is finished in a completed checkpoint: the namespace holds every row the fill read. */
    public void done(Connection c, long id, long rowsDone, long chunksDone) throws SQLException {
        update(
                c,
                "state = 'done', finished_at = now(), rows_done = ?, chunks_done = ?, cursor = 'done', error = NULL",
                id,
                rowsDone,
                chunksDone);
    }

    /** The fill cannot go on until someone acts: {@code error} says why and what to do. */
    public void failed(Connection c, long id, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE " + name() + " SET state = 'failed', finished_at = now(), error = ? WHERE id = ?")) {
            ps.setString(1, error);
            ps.setLong(2, id);
            ps.executeUpdate();
        }
    }

    private void update(Connection c, String set, long id, long... values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + name() + " SET " + set + " WHERE id = ?")) {
            int i = 1;
            for (long v : values) {
                ps.setLong(i++, v);
            }
            ps.setLong(i, id);
            ps.executeUpdate();
        }
    }

    private static final String SELECT = "SELECT id, mapping, version, namespace, reason, state, requested_at,"
            + " started_at, finished_at, rows_estimate, rows_done, chunks_done, cursor, error FROM ";

    private List<Fill> select(Connection c, String tail, String parameter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + name() + " " + tail)) {
            if (parameter != null) {
                ps.setString(1, parameter);
            }
            return read(ps);
        }
    }

    private static List<Fill> read(PreparedStatement ps) throws SQLException {
        List<Fill> fills = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                fills.add(new Fill(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getInt(3),
                        rs.getString(4),
                        Reason.of(rs.getString(5)),
                        State.of(rs.getString(6)),
                        rs.getTimestamp(7).toInstant(),
                        instant(rs.getTimestamp(8)),
                        instant(rs.getTimestamp(9)),
                        rs.getLong(10),
                        rs.getLong(11),
                        rs.getLong(12),
                        Optional.ofNullable(rs.getString(13)),
                        Optional.ofNullable(rs.getString(14))));
            }
        }
        return fills;
    }

    private static Optional<Instant> instant(Timestamp t) {
        return Optional.ofNullable(t).map(Timestamp::toInstant);
    }
}
