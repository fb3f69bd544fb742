package io.puffgres.dlq;

import io.puffgres.event.RowEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The dead-letter table {@code <schema>.dlq} in Postgres. Created on first use (under an advisory lock, so parallel
 * writers do not race); inserts are idempotent on (mapping, version, lsn, id, kind), so a change replayed after a
 * restart is recorded once.
 */
public final class DlqTable {

    private final String schema;

    /** @param schema the state schema ({@code [state] schema}, default {@code puffgres}); a plain identifier */
    public DlqTable(String schema) {
        if (!schema.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("state schema must be a lower-case identifier, got \"" + schema + "\"");
        }
        this.schema = schema;
    }

    public String name() {
        return schema + ".dlq";
    }

    /** Creates the schema and table when missing. */
    public void ensure(Connection c) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(hashtext('puffgres.dlq.create'))");
            s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            s.execute("CREATE TABLE IF NOT EXISTS " + name() + " ("
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
}
