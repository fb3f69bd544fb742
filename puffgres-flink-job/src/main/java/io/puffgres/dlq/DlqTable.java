package io.puffgres.dlq;

import io.puffgres.event.RowEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The dead-letter table {@code <schema>.dlq} in Postgres. Created on first use (under an advisory lock, so parallel
 * writers do not race); inserts are idempotent on (mapping, version, lsn, id, kind), so a change replayed after a
 * restart is recorded once. The read and update methods serve {@code puffgres dlq} and {@code puffgres status}.
 */
public final class DlqTable {

    private final String schema;

    /** @param schema the state schema ({@code [state] schema}, default {@code puffgres}); a plain identifier */
    public DlqTable(String schema) {
        this.schema = checkSchema(schema);
    }

    /** {@code schema} when it is a plain lower-case identifier (state tables name it unquoted); else an error. */
    public static String checkSchema(String schema) {
        if (!schema.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("state schema must be a lower-case identifier, got \"" + schema + "\"");
        }
        return schema;
    }

    public String name() {
        return schema + ".dlq";
    }

    /**
     * Creates {@code schema} when it does not exist. Not {@code CREATE SCHEMA IF NOT EXISTS}: Postgres checks the CREATE
     * right on the database before it looks whether the schema exists, so a role granted only the schema would be
     * refused.
     */
    public static void ensureSchema(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regnamespace(?) IS NULL")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return;
                }
            }
        }
        try (Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
        }
    }

    /** Creates the schema and table when missing. */
    public void ensure(Connection c) throws SQLException {
        createTable(
                c,
                schema,
                "CREATE TABLE IF NOT EXISTS " + name() + " ("
                        + "id bigserial PRIMARY KEY,"
                        + "lsn pg_lsn NOT NULL,"
                        + "mapping text NOT NULL,"
                        + "mapping_version int NOT NULL,"
                        + "namespace text NOT NULL,"
                        + "doc_id text NOT NULL,"
                        + "event jsonb NOT NULL,"
                        + "error_kind text NOT NULL,"
                        + "error_message text NOT NULL,"
                        + "error_detail text NOT NULL DEFAULT '',"
                        + "retry_count int NOT NULL DEFAULT 0,"
                        + "first_failed_at timestamptz NOT NULL DEFAULT now(),"
                        + "last_failed_at timestamptz NOT NULL DEFAULT now(),"
                        + "resolved_at timestamptz,"
                        + "UNIQUE (mapping, mapping_version, lsn, doc_id, error_kind))");
    }

    /**
     * Runs {@code createTable} (a {@code CREATE TABLE IF NOT EXISTS} of a state table) after creating {@code schema}
     * when missing, in one transaction under an advisory lock named after the statement, so that parallel writers
     * creating the same table do not race (two concurrent {@code IF NOT EXISTS} can both try to create it).
     */
    public static void createTable(Connection c, String schema, String createTable) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))");
                Statement s = c.createStatement()) {
            lock.setString(1, createTable);
            lock.execute();
            ensureSchema(c, schema);
            s.execute(createTable);
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** Records {@code e}; returns false when the same entry was already there. */
    public boolean insert(Connection c, DlqEntry e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + name()
                + " (lsn, mapping, mapping_version, namespace, doc_id, event, error_kind, error_message, error_detail)"
                + " VALUES (?::pg_lsn, ?, ?, ?, ?, ?::jsonb, ?, ?, ?)"
                + " ON CONFLICT (mapping, mapping_version, lsn, doc_id, error_kind) DO NOTHING")) {
            ps.setString(1, RowEvent.lsnText(e.lsn));
            ps.setString(2, e.mapping);
            ps.setInt(3, e.version);
            ps.setString(4, e.namespace);
            ps.setString(5, e.docId);
            ps.setString(6, e.event);
            ps.setString(7, e.errorKind);
            ps.setString(8, e.message);
            ps.setString(9, e.detail == null ? "" : e.detail);
            return ps.executeUpdate() == 1;
        }
    }

    /** Whether the table exists (it is created by the first {@code puffgres run}). */
    public boolean exists(Connection c) throws SQLException {
        return tableExists(c, name());
    }

    /** Whether the state table {@code qualifiedName} ({@code schema.table}) exists; for every state table. */
    public static boolean tableExists(Connection c, String qualifiedName) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, qualifiedName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Entries in WAL order (then by id), unresolved only unless {@code resolvedToo}, of one mapping when given, at
     * most {@code limit}.
     */
    public List<DlqRecord> list(Connection c, Optional<String> mapping, boolean resolvedToo, int limit)
            throws SQLException {
        String where = (resolvedToo ? "true" : "resolved_at IS NULL") + (mapping.isPresent() ? " AND mapping = ?" : "");
        return select(c, "WHERE " + where + " ORDER BY lsn, id LIMIT " + limit, mapping.orElse(null));
    }

    /** The {@code n} unresolved entries that failed last, newest first. */
    public List<DlqRecord> lastFailed(Connection c, int n) throws SQLException {
        return select(c, "WHERE resolved_at IS NULL ORDER BY last_failed_at DESC, id DESC LIMIT " + n, null);
    }

    public Optional<DlqRecord> get(Connection c, long id) throws SQLException {
        List<DlqRecord> found = select(c, "WHERE id = " + id, null);
        return found.stream().findFirst();
    }

    /** Unresolved entries per mapping, by mapping name. */
    public Map<String, Long> unresolvedByMapping(Connection c) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT mapping, count(*) FROM " + name()
                        + " WHERE resolved_at IS NULL GROUP BY mapping ORDER BY mapping")) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getLong(2));
            }
        }
        return counts;
    }

    /** Marks entry {@code id} resolved now. */
    public void resolve(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + name() + " SET resolved_at = now() WHERE id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
    }

    /**
     * Deletes entry {@code id} (resolved or not), or with no id every unresolved entry (of {@code mapping} when
     * given); returns how many were deleted.
     */
    public int discard(Connection c, OptionalLong id, Optional<String> mapping) throws SQLException {
        String where = id.isPresent()
                ? "id = " + id.getAsLong()
                : "resolved_at IS NULL" + (mapping.isPresent() ? " AND mapping = ?" : "");
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + name() + " WHERE " + where)) {
            if (id.isEmpty() && mapping.isPresent()) {
                ps.setString(1, mapping.get());
            }
            return ps.executeUpdate();
        }
    }

    /** Records that a retry of entry {@code id} failed again: one more retry, the new error, now. */
    public void failedAgain(Connection c, long id, String message, String detail) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + name()
                + " SET retry_count = retry_count + 1, last_failed_at = now(), error_message = ?, error_detail = ?"
                + " WHERE id = ?")) {
            ps.setString(1, message);
            ps.setString(2, detail == null ? "" : detail);
            ps.setLong(3, id);
            ps.executeUpdate();
        }
    }

    private List<DlqRecord> select(Connection c, String tail, String parameter) throws SQLException {
        List<DlqRecord> records = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, lsn::text, mapping, mapping_version, namespace,"
                + " doc_id, event::text, error_kind, error_message, error_detail, retry_count, first_failed_at,"
                + " last_failed_at, resolved_at FROM " + name() + " " + tail)) {
            if (parameter != null) {
                ps.setString(1, parameter);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp resolved = rs.getTimestamp(14);
                    records.add(new DlqRecord(
                            rs.getLong(1),
                            EventJson.lsn(rs.getString(2)),
                            rs.getString(3),
                            rs.getInt(4),
                            rs.getString(5),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getString(8),
                            rs.getString(9),
                            rs.getString(10),
                            rs.getInt(11),
                            rs.getTimestamp(12).toInstant(),
                            rs.getTimestamp(13).toInstant(),
                            Optional.ofNullable(resolved).map(Timestamp::toInstant)));
                }
            }
        }
        return records;
    }
}
