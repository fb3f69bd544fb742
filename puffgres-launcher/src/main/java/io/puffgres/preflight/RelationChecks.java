package io.puffgres.preflight;

import io.puffgres.event.RelationId;
import io.puffgres.migration.Membership;
import io.puffgres.migration.Migration;
import io.puffgres.source.ReplicationSetup;
import io.puffgres.source.ReplicationSetup.SetupException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-mapping checks: each source relation exists and the role can read it, the table CDC follows is found (a view's
 * base table), its replica identity covers the id column, and a lookup mapping's SQL runs.
 */
final class RelationChecks {

    /** A lookup query is run once with a NULL id; it should answer at once. */
    static final int LOOKUP_TIMEOUT_SECONDS = 10;

    /**
     * The checks, the tables CDC follows that exist (what the publication must cover), and the id columns of the
     * mappings on each.
     */
    record Result(List<Check> checks, List<RelationId> cdcTables, Map<RelationId, List<String>> idColumns) {}

    private final Connection c;
    private final String role;
    private final List<Check> checks = new ArrayList<>();
    private final Set<RelationId> readChecked = new HashSet<>();
    private final Set<String> identityChecked = new HashSet<>();
    private final Map<RelationId, List<String>> idColumns = new LinkedHashMap<>();

    private RelationChecks(Connection c, String role) {
        this.c = c;
        this.role = role;
    }

    static Result run(Connection c, String role, List<Migration> mappings) throws SQLException {
        RelationChecks r = new RelationChecks(c, role);
        for (Migration m : mappings) {
            r.mapping(m);
        }
        return new Result(List.copyOf(r.checks), List.copyOf(r.idColumns.keySet()), r.idColumns);
    }

    private void mapping(Migration m) throws SQLException {
        String field = m.source().isView() ? "source.view" : "source.table";
        if (!readable(m.source().relation(), m, field)) {
            return;
        }
        RelationId cdc;
        try {
            cdc = ReplicationSetup.cdcRelation(c, m);
        } catch (SetupException e) {
            checks.add(Check.fail(
                    "source " + m.mappingName(),
                    e.getMessage(),
                    "set source.base_table in " + m.file() + " to the table whose changes should trigger lookups"));
            return;
        }
        if (!cdc.equals(m.source().relation()) && !readable(cdc, m, "source.base_table")) {
            return;
        }
        idColumns.computeIfAbsent(cdc, t -> new ArrayList<>()).add(m.id().column());
        if (identityChecked.add(cdc + "\0" + m.id().column())) {
            checks.add(ReplicaIdentityCheck.run(c, cdc, m));
        }
        if (m.membership().mode() == Membership.Mode.LOOKUP) {
            checks.add(lookup(m));
        }
    }

    /** Adds the read check of {@code r} once; whether {@code r} exists (so later checks can use it). */
    private boolean readable(RelationId r, Migration m, String field) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT has_table_privilege(c.oid, 'SELECT') FROM pg_class c WHERE c.oid = to_regclass(?)")) {
            ps.setString(1, SqlText.relation(r));
            try (ResultSet rs = ps.executeQuery()) {
                String name = "select " + r;
                if (!rs.next()) {
                    if (readChecked.add(r)) {
                        checks.add(
                                Check.fail(name, "does not exist", "create it, or fix " + field + " in " + m.file()));
                    }
                    return false;
                }
                if (readChecked.add(r)) {
                    checks.add(
                            rs.getBoolean(1)
                                    ? Check.ok(name, "readable by " + SqlText.ident(role))
                                    : Check.fail(
                                            name,
                                            SqlText.ident(role) + " cannot read it",
                                            "GRANT SELECT ON " + SqlText.relation(r) + " TO " + SqlText.ident(role)
                                                    + ";"));
                }
                return true;
            }
        }
    }

    /** Runs membership.sql once with a NULL id in a transaction that is rolled back: syntax and privileges. */
    private Check lookup(Migration m) throws SQLException {
        String name = "lookup " + m.mappingName();
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement ps =
                c.prepareStatement(m.membership().sql().orElseThrow().replace("$1", "?"))) {
            ps.setNull(1, Types.NULL);
            ps.setQueryTimeout(LOOKUP_TIMEOUT_SECONDS);
            ps.executeQuery().close();
            return Check.ok(name, "membership.sql runs");
        } catch (SQLException e) {
            return Check.fail(
                    name,
                    "membership.sql fails: " + ServerChecks.firstLine(String.valueOf(e.getMessage())),
                    "fix membership.sql in " + m.file() + ", or GRANT SELECT on the tables it reads TO "
                            + SqlText.ident(role) + ";");
        } finally {
            c.rollback();
            c.setAutoCommit(autoCommit);
        }
    }
}
