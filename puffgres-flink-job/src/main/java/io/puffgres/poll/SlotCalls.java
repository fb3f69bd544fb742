package io.puffgres.poll;

import io.puffgres.event.RowEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/** The replication-slot SQL functions the poll source calls, over a connection in autocommit mode. */
final class SlotCalls {

    /** How long a drop waits for a slot to be released by a session that still reads it (e.g. one being cancelled). */
    static final Duration RELEASE_WAIT = Duration.ofSeconds(60);

    /** A slot's plugin and position. */
    record Slot(String plugin, long confirmed, Integer activePid) {}

    private SlotCalls() {}

    /** {@code slot} in the connection's database, if it exists. */
    static Optional<Slot> find(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT plugin, coalesce((confirmed_flush_lsn - '0/0')::bigint,"
                + " 0), active_pid FROM pg_replication_slots WHERE slot_name = ? AND database = current_database()")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Slot(rs.getString(1), rs.getLong(2), (Integer) rs.getObject(3)))
                        : Optional.empty();
            }
        }
    }

    /**
     * Moves {@code slot} forward to {@code lsn} unless it is there already.
     *
     * @return the slot's confirmed position afterwards
     */
    static long advance(Connection c, String slot, long lsn) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT (end_lsn - '0/0')::bigint FROM" + " pg_replication_slot_advance(?, ?::pg_lsn)")) {
            ps.setString(1, slot);
            ps.setString(2, RowEvent.lsnText(lsn));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            // the slot is past lsn (a later advance came first, or --from-lsn moved it): nothing to do
            Optional<Slot> now = find(c, slot);
            if (now.isPresent() && Long.compareUnsigned(now.get().confirmed(), lsn) >= 0) {
                return now.get().confirmed();
            }
            throw e;
        }
    }

    /**
     * Drops {@code slot} if it exists, first waiting up to {@link #RELEASE_WAIT} for a session that still reads it to
     * let go (a reader of an earlier attempt whose statement the server has not yet ended).
     */
    static void dropIfExists(Connection c, String slot) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + RELEASE_WAIT.toNanos();
        while (true) {
            Optional<Slot> found = find(c, slot);
            if (found.isEmpty()) {
                return;
            }
            if (found.get().activePid() == null) {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                    ps.setString(1, slot);
                    ps.execute();
                    return;
                } catch (SQLException e) {
                    if (!"55006".equals(e.getSQLState())) { // object_in_use: taken again meanwhile
                        throw e;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new SQLException("replication slot " + slot + " is still in use by the server process "
                        + found.get().activePid() + " after " + RELEASE_WAIT.toSeconds() + " s; if no other puffgres"
                        + " job reads it, end that process (SELECT pg_terminate_backend("
                        + found.get().activePid()
                        + "))");
            }
            Thread.sleep(200); // a server process ending its statement: nothing to be told of, so look again
        }
    }

    /** Creates {@code copy} as a persistent copy of {@code slot}: same plugin, same positions. */
    static void copy(Connection c, String slot, String copy) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_copy_logical_replication_slot(?, ?)")) {
            ps.setString(1, slot);
            ps.setString(2, copy);
            ps.execute();
        }
    }
}
