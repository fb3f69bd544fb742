package io.puffgres.source;

import io.puffgres.config.ProjectConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Creates a logical replication slot, and says what it waits for. Postgres creates a logical slot only once every
 * transaction that was running when creation began has ended, so one session idle in a transaction holds it for as
 * long as it lives. While the creation waits, a second connection asks Postgres which backends block it and
 * reports them (pid, user, application, state, age) with the fix, every {@code every}: the wait is never silent.
 * Holds nothing between calls.
 */
public final class SlotCreation {

    private static final String BLOCKERS = "SELECT a.pid, a.usename, a.application_name, a.state,"
            + " extract(epoch FROM now() - a.xact_start)::bigint AS age"
            + " FROM pg_stat_activity a WHERE a.pid = ANY (pg_blocking_pids(?::int)) ORDER BY a.xact_start, a.pid";

    private SlotCreation() {}

    /**
     * Creates {@code slot} with {@code plugin} through {@code c}, reporting through {@code notes} each {@code every}
     * while the creation waits for other transactions (see the class comment). {@code postgres} opens the watching
     * connection.
     */
    public static void create(
            Connection c,
            String slot,
            String plugin,
            ProjectConfig.Postgres postgres,
            Duration every,
            Consumer<String> notes)
            throws SQLException {
        long pid;
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_backend_pid()");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            pid = rs.getLong(1);
        }
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "slot-creation-watch");
            t.setDaemon(true);
            return t;
        });
        Watcher watcher = new Watcher(postgres, pid, slot, notes);
        watch.scheduleWithFixedDelay(watcher::report, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_create_logical_replication_slot(?, ?)")) {
            ps.setString(1, slot);
            ps.setString(2, plugin);
            ps.execute();
        } finally {
            watch.shutdownNow();
            try {
                watch.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            watcher.close();
        }
    }

    /** One blocking backend, as the note names it. */
    record Blocker(long pid, String user, String application, String state, long ageSeconds) {

        String describe() {
            String app = application == null || application.isEmpty() ? "" : ", application " + application;
            return "pid " + pid + " (user " + user + app + ", " + (state == null ? "state unknown" : state) + ", in a"
                    + " transaction for " + ageSeconds + " s)";
        }
    }

    /** The backends that block {@code pid} right now, oldest transaction first. */
    static List<Blocker> blockers(Connection c, long pid) throws SQLException {
        List<Blocker> found = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(BLOCKERS)) {
            ps.setLong(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(new Blocker(
                            rs.getLong("pid"),
                            rs.getString("usename"),
                            rs.getString("application_name"),
                            rs.getString("state"),
                            rs.getLong("age")));
                }
            }
        }
        return found;
    }

    /** The note for a creation of {@code slot} held by {@code blockers}. */
    static String note(String slot, List<Blocker> blockers) {
        StringBuilder b = new StringBuilder("creating replication slot \"")
                .append(slot)
                .append("\" waits for ")
                .append(blockers.size())
                .append(" transaction(s) to end: ");
        for (int i = 0; i < blockers.size(); i++) {
            b.append(i == 0 ? "" : "; ").append(blockers.get(i).describe());
        }
        return b.append(". Postgres creates a logical slot only once every transaction running when it began has"
                        + " ended; end the session (SELECT pg_terminate_backend(")
                .append(blockers.get(0).pid())
                .append(")) or wait")
                .toString();
    }

    /** Asks Postgres, on its own connection, what blocks the creation; reports it, or why it cannot tell (once). */
    private static final class Watcher {
        private final ProjectConfig.Postgres postgres;
        private final long pid;
        private final String slot;
        private final Consumer<String> notes;
        private Connection connection;
        private boolean failureReported;

        Watcher(ProjectConfig.Postgres postgres, long pid, String slot, Consumer<String> notes) {
            this.postgres = postgres;
            this.pid = pid;
            this.slot = slot;
            this.notes = notes;
        }

        void report() {
            try {
                if (connection == null) {
                    connection = postgres.connect();
                }
                List<Blocker> blockers = blockers(connection, pid);
                if (!blockers.isEmpty()) {
                    notes.accept(note(slot, blockers));
                }
            } catch (SQLException e) {
                if (!failureReported) {
                    failureReported = true;
                    notes.accept("creating replication slot \"" + slot + "\" is taking long, and what it waits for"
                            + " cannot be read: "
                            + e.getMessage().lines().findFirst().orElse(""));
                }
            }
        }

        void close() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException e) {
                    // the watch is over; a failed close loses nothing
                }
            }
        }
    }
}
