package io.puffgres.preflight;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The replication slot {@code puffgres run} reads: it exists, is logical, belongs to this database, uses the chosen
 * plugin, is not invalidated and not in use by another process; how much WAL it makes Postgres keep; and the snapshot
 * reader slots an interrupted run left behind.
 */
final class SlotChecks {

    /**
     * A slot holding more WAL than this means its reader is far behind or stopped: Postgres keeps every WAL segment
     * the slot still needs on disk, so an abandoned slot eventually fills the disk.
     */
    static final long RETAINED_WAL_LIMIT_BYTES = 1L << 30;

    /** Above this share of {@code max_slot_wal_keep_size} the slot is close to being invalidated by Postgres. */
    static final double KEEP_SIZE_WARN_SHARE = 0.8;

    private SlotChecks() {}

    /** The server's WAL position: the current one, on a standby the last one received. */
    private static final String SERVER_LSN =
            "CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END";

    /** The WAL a row of {@code pg_replication_slots} makes Postgres keep, in bytes (0 once invalidated). */
    private static final String RETAINED_BYTES =
            "coalesce(pg_wal_lsn_diff(" + SERVER_LSN + ", restart_lsn), 0)::bigint";

    /** The row of {@code pg_replication_slots} the checks read, and the database the connection is in. */
    record Slot(
            String type,
            String plugin,
            String database,
            String ourDatabase,
            Integer activePid,
            String walStatus,
            long retainedBytes) {}

    /**
     * @param checkpointDir the project's checkpoint directory (an invalidated slot needs a fresh start)
     * @param ownRun the pid of this project's live {@code puffgres run} reading {@code slot}, if there is one: the
     *     slot in use by it is no finding
     */
    static List<Check> run(Connection c, ChangeSource source, Path checkpointDir, OptionalLong ownRun)
            throws SQLException {
        Optional<Slot> found = read(c, source.slot());
        if (found.isEmpty()) {
            return List.of(missing(c, source, false), Check.skip("wal retained", "no slot yet"));
        }
        return List.of(
                state(source, found.get(), checkpointDir, ownRun),
                retained(c, source.slot(), found.get().retainedBytes()));
    }

    /**
     * The slot as {@code puffgres run} needs it: a missing one is fine when run creates it ({@code --create-slot}).
     * The WAL it holds is no reason not to start (running is how it is released).
     */
    static Check beforeRun(Connection c, ChangeSource source, Path checkpointDir, boolean create) throws SQLException {
        Optional<Slot> found = read(c, source.slot());
        return found.isEmpty()
                ? missing(c, source, create)
                : state(source, found.get(), checkpointDir, OptionalLong.empty());
    }

    /**
     * One finding per snapshot reader slot of {@code slot} that nothing reads. Flink CDC reads each snapshot split
     * through a persistent slot {@code <slot>_<subtask>} that it creates for the split and drops after it, so an
     * inactive one in this database was left by a run that ended mid-snapshot ({@code kill -9}, a crash), and makes
     * Postgres keep WAL from then on.
     */
    static List<Check> leftoverReaders(Connection c, String slot) throws SQLException {
        List<Check> checks = new ArrayList<>();
        String prefix = slot + "_";
        try (PreparedStatement ps = c.prepareStatement("SELECT slot_name, " + RETAINED_BYTES
                + " FROM pg_replication_slots WHERE slot_type = 'logical' AND NOT active"
                + " AND database = current_database() AND starts_with(slot_name, ?)"
                + " AND substr(slot_name, ?) ~ '^[0-9]+$' ORDER BY slot_name")) {
            ps.setString(1, prefix);
            ps.setInt(2, prefix.length() + 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String reader = rs.getString(1);
                    checks.add(Check.fail(
                            "leftover slot " + reader,
                            SqlText.ident(reader) + " holds " + SqlText.bytes(rs.getLong(2)) + " of WAL and nothing"
                                    + " reads it: named like a snapshot reader slot of " + SqlText.ident(slot)
                                    + ", which a run that ends mid-snapshot (kill -9, a crash) leaves behind",
                            "unless another job reads it: " + drop(reader)
                                    + " (a snapshot creates it again when it needs one)"));
                }
            }
        }
        return checks;
    }

    static Optional<Slot> read(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT slot_type, plugin, database, active_pid, wal_status, "
                + RETAINED_BYTES + ", current_database() FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Slot(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(7),
                        (Integer) rs.getObject(4),
                        rs.getString(5),
                        rs.getLong(6)));
            }
        }
    }

    /** @param create whether run creates it now ({@code --create-slot}) */
    private static Check missing(Connection c, ChangeSource source, boolean create) throws SQLException {
        String slot = source.slot();
        String createIt = "puffgres run --create-slot" + source.runOptions()
                + " (a new slot starts with a snapshot of the mapped tables)";
        String full = ServerChecks.one(
                c, "SELECT count(*) >= current_setting('max_replication_slots')::int FROM pg_replication_slots");
        if (full.equals("t")) {
            return Check.fail(
                    "slot",
                    SqlText.ident(slot) + " does not exist, and every slot of max_replication_slots is taken",
                    "drop an unused slot (SELECT pg_drop_replication_slot('name');) or raise max_replication_slots,"
                            + " then " + createIt);
        }
        if (create) {
            return Check.ok("slot", SqlText.ident(slot) + " does not exist yet; puffgres run --create-slot creates it");
        }
        return Check.fail("slot", SqlText.ident(slot) + " does not exist", createIt);
    }

    private static Check state(ChangeSource source, Slot found, Path checkpointDir, OptionalLong ownRun) {
        String slot = source.slot();
        String plugin = source.plugin();
        String name = "slot";
        String quoted = SqlText.ident(slot);
        String slotPlugin = found.plugin();
        String database = found.database();
        if (!"logical".equals(found.type())) {
            return Check.fail(
                    name,
                    quoted + " is a " + found.type() + " slot",
                    "set [postgres] slot in puffgres.toml to another name (or run --slot NAME)");
        }
        if (!found.ourDatabase().equals(database)) {
            return Check.fail(
                    name,
                    quoted + " belongs to database " + database,
                    "set [postgres] slot in puffgres.toml to another name (slot names are per server)");
        }
        if (source.poll() && !plugin.equals(slotPlugin)) {
            return Check.fail(
                    name,
                    quoted + " uses " + slotPlugin + ", and poll mode reads wal2json over SQL: a " + slotPlugin
                            + " slot cannot be polled",
                    "poll a new wal2json slot: puffgres run --poll --slot NAME --create-slot (it starts with a fill of"
                            + " the mapped tables), or stream this one without --poll ([source] mode = \"stream\")");
        }
        if (!plugin.equals(slotPlugin)) {
            return Check.fail(
                    name,
                    quoted + " uses " + slotPlugin + ", not " + plugin,
                    "use --plugin " + slotPlugin + ", or recreate it: " + drop(slot)
                            + " then puffgres run --create-slot" + source.runOptions());
        }
        if ("lost".equals(found.walStatus())) {
            return lost(slot, checkpointDir);
        }
        Integer activePid = found.activePid();
        if (activePid != null && ownRun.isPresent()) {
            return Check.ok(name, quoted + " is in use by this project's run, pid " + ownRun.getAsLong());
        }
        if (activePid != null) {
            return Check.fail(
                    name,
                    quoted + " is in use by process " + activePid + " (another puffgres run?)",
                    "stop that reader, or end it: SELECT pg_terminate_backend(" + activePid + ");");
        }
        return Check.ok(name, quoted + " exists (" + slotPlugin + ", not in use)");
    }

    private static Check lost(String slot, Path checkpointDir) {
        return Check.fail(
                "slot",
                SqlText.ident(slot) + " is invalidated: Postgres removed WAL it still needed (wal_status lost)",
                drop(slot) + " then delete " + checkpointDir + " and run puffgres run --create-slot (a fresh"
                        + " snapshot)");
    }

    static String drop(String slot) {
        return "SELECT pg_drop_replication_slot(" + SqlText.literal(slot) + ");";
    }

    private static Check retained(Connection c, String slot, long bytes) throws SQLException {
        String name = "wal retained";
        String keepSetting = ServerChecks.one(
                c, "SELECT coalesce((SELECT setting FROM pg_settings WHERE name = 'max_slot_wal_keep_size'), '-1')");
        long keepMb = Long.parseLong(keepSetting);
        String keep = keepMb < 0
                ? "max_slot_wal_keep_size = -1: unlimited, a stopped job keeps WAL until the disk fills"
                : "max_slot_wal_keep_size = " + SqlText.bytes(keepMb << 20);
        String held = SqlText.ident(slot) + " holds " + SqlText.bytes(bytes) + " of WAL";
        String drop = drop(slot);
        if (keepMb > 0 && bytes > (keepMb << 20) * KEEP_SIZE_WARN_SHARE) {
            return Check.fail(
                    name,
                    held + ", close to " + keep + " (beyond it Postgres invalidates the slot)",
                    "run puffgres run so it catches up, or raise the limit: ALTER SYSTEM SET max_slot_wal_keep_size ="
                            + " '" + keepMb * 2 + "MB'; SELECT pg_reload_conf();");
        }
        if (bytes > RETAINED_WAL_LIMIT_BYTES) {
            return Check.fail(
                    name,
                    held + ", more than " + SqlText.bytes(RETAINED_WAL_LIMIT_BYTES)
                            + ": its reader is far behind or stopped (" + keep + ")",
                    "run puffgres run so it catches up; if the slot is abandoned: " + drop);
        }
        return Check.ok(name, held + " (" + keep + ")");
    }
}
