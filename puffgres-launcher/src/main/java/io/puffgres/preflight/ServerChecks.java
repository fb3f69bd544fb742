package io.puffgres.preflight;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Server-wide checks: {@code wal_level}, the connecting role's replication right, its rights on the state schema, and
 * the wal2json plugin.
 */
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

    /**
     * Whether the role can keep puffgres's state in {@code [state] schema}: apply records migrations in
     * {@code <schema>.migrations}, run keeps the DLQ in {@code <schema>.dlq}. A missing schema needs CREATE on the
     * database, an existing one USAGE, and CREATE while a table is still to be made; a table there needs the rights
     * puffgres uses on it.
     */
    static Check stateSchema(Connection c, String role, String schema) throws SQLException {
        String name = "state schema " + schema;
        String who = SqlText.ident(role);
        String quoted = SqlText.ident(schema);
        // by oid, not to_regclass('schema.table'): a name in a schema the role cannot use is an error
        try (PreparedStatement ps = c.prepareStatement("SELECT n.oid IS NOT NULL, has_database_privilege("
                + "current_database(), 'CREATE'), has_schema_privilege(n.oid, 'USAGE'),"
                + " has_schema_privilege(n.oid, 'CREATE'), m.oid IS NOT NULL, d.oid IS NOT NULL,"
                + " m.oid IS NULL OR has_table_privilege(m.oid, 'SELECT, INSERT'),"
                + " d.oid IS NULL OR has_table_privilege(d.oid, 'SELECT, INSERT, UPDATE')"
                + " FROM (SELECT NULL) dummy LEFT JOIN pg_namespace n ON n.nspname = ?"
                + " LEFT JOIN pg_class m ON m.relnamespace = n.oid AND m.relname = 'migrations'"
                + " LEFT JOIN pg_class d ON d.relnamespace = n.oid AND d.relname = 'dlq'")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return rs.getBoolean(2)
                            ? Check.ok(name, "does not exist yet; puffgres apply creates it")
                            : Check.fail(
                                    name,
                                    "does not exist, and " + who + " cannot create it (no CREATE on the database):"
                                            + " puffgres apply would fail with permission denied",
                                    "CREATE SCHEMA " + quoted + " AUTHORIZATION " + who + ";");
                }
                boolean tablesMissing = !rs.getBoolean(5) || !rs.getBoolean(6);
                if (!rs.getBoolean(3) || (tablesMissing && !rs.getBoolean(4))) {
                    return Check.fail(
                            name,
                            who + " cannot " + (rs.getBoolean(3) ? "create" : "use") + " tables in it (the applied"
                                    + " migrations and the DLQ): puffgres apply would fail with permission denied",
                            "GRANT USAGE, CREATE ON SCHEMA " + quoted + " TO " + who + ";");
                }
                if (!rs.getBoolean(7) || !rs.getBoolean(8)) {
                    String table = quoted + "." + (rs.getBoolean(7) ? "dlq" : "migrations");
                    String rights = rs.getBoolean(7) ? "SELECT, INSERT, UPDATE" : "SELECT, INSERT";
                    return Check.fail(
                            name,
                            who + " lacks " + rights + " on " + table + ": puffgres apply and run would fail with"
                                    + " permission denied",
                            "GRANT " + rights + " ON " + table + " TO " + who + ";");
                }
                return Check.ok(name, who + " can use it");
            }
        }
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
