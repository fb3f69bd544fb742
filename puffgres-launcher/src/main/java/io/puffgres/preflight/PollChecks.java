package io.puffgres.preflight;

import io.puffgres.poll.PollLease;
import io.puffgres.poll.PollSettings;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What poll mode needs beyond a stream (docs/job.md, "Poll mode"): PostgreSQL 12 or later, a role that may call the
 * slot functions the poll source calls over SQL, and room for the poll source's reading slot {@code <slot>_poll}.
 * wal2json itself and partitioned tables are {@link Wal2jsonChecks}.
 */
final class PollChecks {

    /** {@code pg_copy_logical_replication_slot}, which makes the reading slot, arrived in PostgreSQL 12. */
    static final int MIN_SERVER_VERSION_NUM = 120_000;

    /** The functions the poll source calls: copy the job's slot, read the copy, move the job's slot, drop the copy. */
    static final List<String> SLOT_FUNCTIONS = List.of(
            "pg_copy_logical_replication_slot",
            "pg_logical_slot_get_changes",
            "pg_replication_slot_advance",
            "pg_drop_replication_slot");

    private PollChecks() {}

    /**
     * The poll checks in the order doctor prints them: the server version, the slot functions, the reading slot.
     *
     * @param roleCanReplicate whether the role check passed (superuser, REPLICATION or rds_replication)
     * @param ownRun this project's live run, whose reading slot is no finding
     */
    static List<Check> run(Connection c, ChangeSource source, boolean roleCanReplicate, OptionalLong ownRun)
            throws SQLException {
        List<Check> checks = new ArrayList<>();
        checks.add(serverVersion(c));
        checks.add(slotFunctions(c, roleCanReplicate));
        checks.add(pollSlot(c, source, ownRun));
        checks.add(lease(c, source, ownRun));
        return checks;
    }

    /**
     * Whether another run polls the slot ({@link PollLease}, in any state schema): a live lease is watched until it is
     * renewed (a live run: a finding) or goes stale (a run that ended without giving it up, such as a {@code kill -9}:
     * fine, the next run takes it over).
     */
    static Check lease(Connection c, ChangeSource source, OptionalLong ownRun) throws SQLException {
        String name = "poll lease";
        String slot = SqlText.ident(source.slot());
        if (ownRun.isPresent()) {
            return Check.ok(name, slot + " is polled by this project's run, pid " + ownRun.getAsLong());
        }
        Optional<PollLease.Holder> held;
        try {
            held = PollLease.waitOut(c, source.slot(), "", h -> {});
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while watching the poll lease of " + slot, e);
        }
        if (held.filter(PollLease.Holder::live).isPresent()) {
            return Check.fail(name, PollLease.heldMessage(source.slot(), held.get()), PollLease.HELD_FIX);
        }
        return Check.ok(
                name,
                held.map(h -> slot + " was polled by a run on " + h.host() + " until " + h.ageMs() / 1000
                                + " s ago, which is gone; this run takes it over")
                        .orElse("no other run polls " + slot));
    }

    static Check serverVersion(Connection c) throws SQLException {
        int version = Integer.parseInt(ServerChecks.one(c, "SELECT current_setting('server_version_num')"));
        String shown = "PostgreSQL " + ServerChecks.one(c, "SELECT current_setting('server_version')");
        if (version >= MIN_SERVER_VERSION_NUM) {
            return Check.ok("server version", shown + " (poll mode needs 12 or later)");
        }
        return Check.fail(
                "server version",
                shown + ": poll mode needs PostgreSQL 12 or later (it copies the slot with"
                        + " pg_copy_logical_replication_slot)",
                "upgrade Postgres, or stream without --poll ([source] mode = \"stream\")");
    }

    /**
     * Whether the role may call {@link #SLOT_FUNCTIONS}: Postgres lets a superuser or a REPLICATION role call them
     * (the role check), unless EXECUTE on one was revoked.
     */
    static Check slotFunctions(Connection c, boolean roleCanReplicate) throws SQLException {
        String name = "slot functions";
        if (!roleCanReplicate) {
            return Check.skip(name, "not checked: the role needs REPLICATION or superuser first (above)");
        }
        String role = SqlText.ident(ServerChecks.one(c, "SELECT current_user"));
        List<String> missing = new ArrayList<>();
        List<String> revoked = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT f.name, p.oid IS NOT NULL,"
                + " p.oid IS NULL OR has_function_privilege(p.oid, 'EXECUTE'), p.oid::regprocedure::text"
                + " FROM unnest(?::text[]) f(name) LEFT JOIN pg_proc p"
                + " ON p.proname = f.name AND p.pronamespace = 'pg_catalog'::regnamespace ORDER BY 1, 4")) {
            Array names = c.createArrayOf("text", SLOT_FUNCTIONS.toArray());
            ps.setArray(1, names);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!rs.getBoolean(2)) {
                        missing.add(rs.getString(1));
                    } else if (!rs.getBoolean(3)) {
                        revoked.add("pg_catalog." + rs.getString(4));
                    }
                }
            }
        }
        if (!missing.isEmpty()) {
            return Check.fail(
                    name,
                    "the server has no " + String.join(", ", missing),
                    "upgrade Postgres to 12 or later, or stream without --poll");
        }
        if (!revoked.isEmpty()) {
            return Check.fail(
                    name,
                    role + " may not call " + String.join(", ", revoked) + " (EXECUTE was revoked)",
                    "GRANT EXECUTE ON FUNCTION " + String.join(", ", revoked) + " TO " + role + ";");
        }
        return Check.ok(name, role + " may call " + String.join(", ", SLOT_FUNCTIONS));
    }

    /**
     * The reading slot {@code <slot>_poll}: a leftover one is replaced by the poll source at its start, so it must be
     * a logical slot of this database that nothing else reads; a missing one needs a free slot under {@code
     * max_replication_slots}, and a second one when the job's slot is still to be created.
     */
    static Check pollSlot(Connection c, ChangeSource source, OptionalLong ownRun) throws SQLException {
        String poll = source.pollSlot();
        String name = "poll slot";
        if (source.slot().length() > PollSettings.maxSlotName()) {
            return Check.fail(
                    name,
                    "the job's slot " + SqlText.ident(source.slot()) + " has "
                            + source.slot().length()
                            + " characters, and its reading slot " + poll + " would pass Postgres's "
                            + PollSettings.MAX_SLOT_NAME,
                    "choose a slot of at most " + PollSettings.maxSlotName() + " characters: --slot NAME (or"
                            + " [postgres] slot)");
        }
        String quoted = SqlText.ident(poll);
        Optional<SlotChecks.Slot> found = SlotChecks.read(c, poll);
        if (found.isPresent()) {
            SlotChecks.Slot s = found.get();
            String other = SqlText.ident(source.slot()) + " is read through " + quoted + ", which the poll source drops"
                    + " and copies again at each start, and " + quoted;
            String rename = "choose another slot for the job: --slot NAME (or [postgres] slot), whose reading slot is"
                    + " " + PollSettings.readingSlot("NAME");
            if (!"logical".equals(s.type())) {
                return Check.fail(name, other + " is a " + s.type() + " slot", rename);
            }
            if (!s.ourDatabase().equals(s.database())) {
                return Check.fail(name, other + " belongs to database " + s.database(), rename);
            }
            if (s.activePid() != null && ownRun.isPresent()) {
                return Check.ok(name, quoted + " is read by this project's run, pid " + ownRun.getAsLong());
            }
            if (s.activePid() != null) {
                return Check.fail(
                        name,
                        quoted + " is in use by process " + s.activePid() + " (another puffgres run --poll?)",
                        "stop that run, or end it: SELECT pg_terminate_backend(" + s.activePid() + ");");
            }
            return Check.ok(
                    name,
                    quoted + " exists and holds " + SqlText.bytes(s.retainedBytes()) + " of WAL; the poll source"
                            + (ownRun.isPresent()
                                    ? " reads it"
                                    : " replaces it with a fresh copy of "
                                            + SqlText.ident(source.slot()) + " at its start (once you stop polling: "
                                            + SlotChecks.drop(poll) + ")"));
        }
        boolean jobSlotMissing = SlotChecks.read(c, source.slot()).isEmpty();
        int needed = jobSlotMissing ? 2 : 1;
        int max = Integer.parseInt(ServerChecks.one(c, "SELECT current_setting('max_replication_slots')"));
        int used = Integer.parseInt(ServerChecks.one(c, "SELECT count(*) FROM pg_replication_slots"));
        int free = Math.max(0, max - used);
        if (free < needed) {
            return Check.fail(
                    name,
                    quoted + " does not exist, and the poll source needs a free slot for it"
                            + (jobSlotMissing ? " (and creating " + SqlText.ident(source.slot()) + " one more)" : "")
                            + ": " + free + " of max_replication_slots = " + max + " free",
                    "drop an unused slot (SELECT pg_drop_replication_slot('name');) or raise the limit: ALTER SYSTEM"
                            + " SET max_replication_slots = " + (used + needed) + "; then restart Postgres");
        }
        return Check.ok(
                name,
                quoted + " does not exist yet; the poll source makes it as a copy of " + SqlText.ident(source.slot())
                        + " (" + free + " of max_replication_slots = " + max + " free)");
    }
}
