package io.puffgres.preflight;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Server-wide checks: {@code wal_level}, the connecting role's replication right, and the wal2json plugin. */
final class ServerChecks {

    /**
     * Creating a test slot waits for the transactions running at that moment to end; a long one would make doctor
     * hang, so the attempt gives up after this many seconds and says why.
     */
    static final int TEST_SLOT_TIMEOUT_SECONDS = 10;

    private ServerChecks() {}

    static Check walLevel(Connection c) throws SQLException {
        String level = one(c, "SHOW wal_level");
        if (level.equals("logical")) {
            return Check.ok("wal_level", "logical");
        }
        return Check.fail(
                "wal_level",
                level + " (logical decoding needs logical)",
                "ALTER SYSTEM SET wal_level = logical; then restart Postgres (on a managed service: enable its logical"
                        + " replication setting)");
    }

    /** Whether the role may use replication slots: superuser, REPLICATION, or (on Amazon RDS) rds_replication. */
    static Check role(Connection c, String role) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT r.rolsuper, r.rolreplication, EXISTS (SELECT 1 FROM pg_roles g"
                        + " WHERE g.rolname = 'rds_replication' AND pg_has_role(current_user, g.oid, 'MEMBER'))"
                        + " FROM pg_roles r WHERE r.rolname = current_user")) {
            rs.next();
            String who = SqlText.ident(role);
            if (rs.getBoolean(1)) {
                return Check.ok("role", who + " is a superuser");
            }
            if (rs.getBoolean(2)) {
                return Check.ok("role", who + " has REPLICATION");
            }
            if (rs.getBoolean(3)) {
                return Check.ok("role", who + " is a member of rds_replication");
            }
            return Check.fail(
                    "role",
                    who + " has neither REPLICATION nor superuser, so it cannot read a replication slot",
                    "ALTER ROLE " + who + " WITH REPLICATION;");
        }
    }

    /**
     * Whether the server can load wal2json, by creating a temporary logical slot with it and dropping it: an output
     * plugin is a shared library, not an extension, so {@code pg_available_extensions} cannot tell.
     */
    static Check wal2json(Connection c, boolean canCreateSlots) throws SQLException {
        String name = "wal2json";
        if (!canCreateSlots) {
            return Check.skip(name, "could not check: needs wal_level = logical and the replication right (above)");
        }
        String slot = "puffgres_doctor_" + one(c, "SELECT pg_backend_pid()");
        try (PreparedStatement ps =
                c.prepareStatement("SELECT slot_name FROM pg_create_logical_replication_slot(?, 'wal2json', true)")) {
            ps.setString(1, slot);
            ps.setQueryTimeout(TEST_SLOT_TIMEOUT_SECONDS);
            ps.executeQuery().close();
        } catch (SQLException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("could not access file")) {
                return Check.fail(
                        name,
                        "the server cannot load the wal2json output plugin (" + firstLine(message) + ")",
                        "install it on the Postgres server (Debian/Ubuntu: apt install postgresql-"
                                + one(c, "SELECT current_setting('server_version_num')::int / 10000")
                                + "-wal2json), or use the default --plugin pgoutput");
            }
            if ("57014".equals(e.getSQLState())) {
                return Check.fail(
                        name,
                        "could not check: creating a test slot waited more than " + TEST_SLOT_TIMEOUT_SECONDS
                                + " s for running transactions to end",
                        "end or wait for the long transactions in pg_stat_activity, then run puffgres doctor again");
            }
            return Check.fail(
                    name,
                    "could not create a test slot with it: " + firstLine(message),
                    "fix the cause in Postgres's message (e.g. a free slot under max_replication_slots)");
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            ps.setString(1, slot);
            ps.execute();
        }
        return Check.ok(name, "installed (a test slot with it was created and dropped)");
    }

    static String one(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
