package io.puffgres.lookup;

import io.puffgres.event.PgIdentifiers;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.migration.Membership;
import io.puffgres.migration.Migration;
import io.puffgres.pipeline.MappedEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The pipeline's lookup step, between route and membership: what a routed change becomes once Postgres is asked for
 * what the change does not tell ({@code view} and {@code lookup} membership, unchanged TOAST, a column the WAL does
 * not carry). Plain JDBC, no Flink: the stream's {@link RowLookup} runs it on its workers, {@code puffgres dlq retry}
 * on its own connection. Thread-safe (it holds nothing); each caller brings its connection.
 */
public final class CurrentRows {

    /**
     * A lookup query running longer fails the job (which restarts) instead of holding the stream: a connection's
     * query timeout, with no timer per change.
     */
    static final int QUERY_TIMEOUT_SECONDS = 60;

    private CurrentRows() {}

    /** Whether {@link #resolve} reads Postgres for {@code event}: view or lookup membership, or an incomplete row. */
    static boolean needsLookup(Migration migration, RowEvent event) {
        Membership.Mode mode = migration.membership().mode();
        return mode == Membership.Mode.VIEW || mode == Membership.Mode.LOOKUP || incomplete(migration, event.after());
    }

    /** Whether {@code row} holds an unchanged-TOAST placeholder or lacks a column the migration lists. */
    private static boolean incomplete(Migration migration, Row row) {
        if (row.hasUnavailable()) {
            return true;
        }
        for (String column : migration.columns()) {
            if (!row.has(column)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What {@code e} becomes once looked up, read through {@code c}: {@code view} membership replaces the new row with
     * the view's row by id (absent: a delete); {@code lookup} membership runs the migration's SQL with the id (no row:
     * a delete); values the WAL did not carry are read from the current row (gone: a delete). Values read now may be
     * newer than the change; the change that made them newer follows in the stream, so the namespace converges. {@code
     * e} itself when it needs no lookup. Synchronous.
     *
     * @param tableSql the quoted name of the table CDC follows ({@link PgIdentifiers#quote(RelationId)})
     */
    public static MappedEvent resolve(Connection c, Migration migration, String tableSql, MappedEvent e)
            throws SQLException {
        if (e.kind() != MappedEvent.Kind.CHANGE || !needsLookup(migration, e.event())) {
            return e;
        }
        RowEvent event = e.event();
        Object id = event.after().get(migration.id().column());
        switch (migration.membership().mode()) {
            case VIEW -> {
                Row row = one(
                        c,
                        "SELECT * FROM "
                                + PgIdentifiers.quote(migration.source().schema()) + "."
                                + PgIdentifiers.quote(migration.source().view().orElseThrow()) + " WHERE "
                                + PgIdentifiers.quote(migration.id().column())
                                + " = ?",
                        id);
                return row == null
                        ? e.withKind(MappedEvent.Kind.DELETE)
                        : e.withEvent(event.withAfter(row.only(migration.readColumns())));
            }
            case LOOKUP -> {
                String sql = migration.membership().sql().orElseThrow().replace("$1", "?");
                if (!exists(c, sql, id)) {
                    return e.withKind(MappedEvent.Kind.DELETE);
                }
            }
            default -> {}
        }
        if (!incomplete(migration, event.after())) {
            return e;
        }
        Row current = byId(c, tableSql, migration.id().column(), id);
        if (current == null) {
            return e.withKind(MappedEvent.Kind.DELETE);
        }
        Row.Builder filled = Row.builder();
        Row after = event.after();
        after.types()
                .forEach((column, type) -> filled.put(
                        column, type, after.isUnavailable(column) ? current.get(column) : after.get(column)));
        for (String column : migration.columns()) {
            if (!event.after().has(column) && current.has(column)) { // a dropped column stays missing
                filled.put(column, current.type(column), current.get(column));
            }
        }
        return e.withEvent(event.withAfter(filled.build()));
    }

    /** The row of {@code tableSql} whose {@code idColumn} is {@code id}, or null. */
    public static Row byId(Connection c, String tableSql, String idColumn, Object id) throws SQLException {
        return one(c, "SELECT * FROM " + tableSql + " WHERE " + PgIdentifiers.quote(idColumn) + " = ?", id);
    }

    private static Row one(Connection c, String sql, Object id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? JdbcRows.read(rs) : null;
            }
        }
    }

    private static boolean exists(Connection c, String sql, Object id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
