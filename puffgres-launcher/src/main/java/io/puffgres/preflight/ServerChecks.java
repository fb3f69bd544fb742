package io.puffgres.preflight;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Server-wide checks: {@code wal_level}, the connecting role's replication right and its rights on the state schema.
 */
final class ServerChecks {

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
     * Whether the role can keep puffgres's state in {@code [state] schema}: apply records migrations in
     * {@code <schema>.migrations}, run keeps the DLQ in {@code <schema>.dlq}, the fill ledger in {@code
     * <schema>.fills} and, in poll mode, the slot's lease in {@code <schema>.poll_leases}. A missing schema needs
     * CREATE on the database, an existing one USAGE, and CREATE while a table is still to be made; a table there needs
     * the rights puffgres uses on it.
     */
    static Check stateSchema(Connection c, String role, String schema, boolean poll) throws SQLException {
        String name = "state schema " + schema;
        String who = SqlText.ident(role);
        String quoted = SqlText.ident(schema);
        // by oid, not to_regclass('schema.table'): a name in a schema the role cannot use is an error
        try (PreparedStatement ps = c.prepareStatement("SELECT n.oid IS NOT NULL, has_database_privilege("
                + "current_database(), 'CREATE'), has_schema_privilege(n.oid, 'USAGE'),"
                + " has_schema_privilege(n.oid, 'CREATE'), m.oid IS NOT NULL, d.oid IS NOT NULL,"
                + " m.oid IS NULL OR has_table_privilege(m.oid, 'SELECT, INSERT'),"
                + " d.oid IS NULL OR has_table_privilege(d.oid, 'SELECT, INSERT, UPDATE'),"
                + " f.oid IS NOT NULL, l.oid IS NOT NULL"
                + " FROM (SELECT NULL) dummy LEFT JOIN pg_namespace n ON n.nspname = ?"
                + " LEFT JOIN pg_class m ON m.relnamespace = n.oid AND m.relname = 'migrations'"
                + " LEFT JOIN pg_class d ON d.relnamespace = n.oid AND d.relname = 'dlq'"
                + " LEFT JOIN pg_class f ON f.relnamespace = n.oid AND f.relname = 'fills'"
                + " LEFT JOIN pg_class l ON l.relnamespace = n.oid AND l.relname = 'poll_leases'")) {
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
                List<String> missing = new ArrayList<>();
                if (!rs.getBoolean(5)) {
                    missing.add("the applied migrations");
                }
                if (!rs.getBoolean(6)) {
                    missing.add("the DLQ");
                }
                if (!rs.getBoolean(9)) {
                    missing.add("the fill ledger");
                }
                if (poll && !rs.getBoolean(10)) {
                    missing.add("the poll lease");
                }
                if (!rs.getBoolean(3)) {
                    return Check.fail(
                            name,
                            who + " cannot use tables in it (the applied migrations and the DLQ): puffgres apply would"
                                    + " fail with permission denied",
                            "GRANT USAGE, CREATE ON SCHEMA " + quoted + " TO " + who + ";");
                }
                if (!missing.isEmpty() && !rs.getBoolean(4)) {
                    return Check.fail(
                            name,
                            who + " cannot create tables in it, and puffgres still has to make "
                                    + String.join(", ", missing) + ": apply or run would fail with permission denied",
                            "GRANT CREATE ON SCHEMA " + quoted + " TO " + who + ";");
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
