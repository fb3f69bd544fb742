package io.puffgres.preflight;

import io.puffgres.config.Diagnostic;
import io.puffgres.event.PgType;
import io.puffgres.event.RelationId;
import io.puffgres.membership.PredicateTypeException;
import io.puffgres.migration.Membership;
import io.puffgres.migration.Migration;
import io.puffgres.migration.ProjectLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Each mapping against the Postgres catalog, before any row is read: its source relation exists, so do its listed
 * columns, id column and versioning column, its predicate's columns and literals fit the column types (bound as the
 * job binds them), and its lookup query plans with the id's type. Each problem is a {@link Diagnostic} at the field of
 * the migration file it comes from, as {@code puffgres validate} reports; every problem of every mapping is returned.
 * Reads only (a lookup check prepares and deallocates a statement).
 */
final class CatalogChecks {

    private final Connection c;
    private final Path projectDir;
    private final List<Diagnostic> out = new ArrayList<>();

    private CatalogChecks(Connection c, Path projectDir) {
        this.c = c;
        this.projectDir = projectDir;
    }

    static List<Diagnostic> run(Connection c, Path projectDir, List<Migration> mappings) throws SQLException {
        CatalogChecks checks = new CatalogChecks(c, projectDir);
        for (Migration m : mappings) {
            checks.mapping(m);
        }
        return List.copyOf(checks.out);
    }

    private void mapping(Migration m) throws SQLException {
        RelationId relation = m.source().relation();
        Optional<Map<String, String>> found = columns(relation);
        if (found.isEmpty()) {
            add(
                    m,
                    m.source().isView() ? "source.view" : "source.table",
                    -1,
                    "relation " + relation + " does not exist");
            return;
        }
        Map<String, String> columns = found.get();
        String in = " in " + relation;
        Optional<RelationId> base = m.source().baseRelation();
        if (base.isPresent() && columns(base.get()).isEmpty()) {
            add(m, "source.base_table", -1, "table " + base.get() + " does not exist");
        }
        for (int i = 0; i < m.columns().size(); i++) {
            String column = m.columns().get(i);
            if (!columns.containsKey(column)) {
                add(m, "columns", i, "column \"" + column + "\" does not exist" + in);
            }
        }
        String id = m.id().column();
        boolean idFound = columns.containsKey(id);
        if (!idFound) {
            add(m, "id.column", -1, "column \"" + id + "\" does not exist" + in);
        }
        m.versioning()
                .column()
                .filter(v -> !columns.containsKey(v))
                .ifPresent(v -> add(m, "versioning.column", -1, "column \"" + v + "\" does not exist" + in));
        if (m.membership().mode() == Membership.Mode.DSL) {
            Map<String, PgType> types = new LinkedHashMap<>();
            columns.forEach((name, sqlType) -> types.put(name, PgType.of(sqlType)));
            try {
                m.membership().predicate().orElseThrow().bind(types);
            } catch (PredicateTypeException e) {
                e.problems().forEach(p -> add(m, "membership.predicate", -1, p + in));
            }
        }
        if (m.membership().mode() == Membership.Mode.LOOKUP && idFound) {
            LookupPlan.check(c, m.membership().sql().orElseThrow(), columns.get(id))
                    .ifPresent(p -> add(
                            m,
                            "membership.sql",
                            -1,
                            p.message()
                                    + (p.position() > 0 ? " (at character " + p.position() + " of the query)" : "")));
        }
    }

    private void add(Migration m, String key, int element, String message) {
        out.add(ProjectLoader.diagnostic(projectDir, m, key, element, message));
    }

    /** The relation's columns and their types as Postgres prints them, in table order; empty when it does not exist. */
    private Optional<Map<String, String>> columns(RelationId relation) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT c.oid IS NOT NULL, a.attname,"
                + " format_type(a.atttypid, a.atttypmod) FROM (SELECT to_regclass(?) AS oid) c"
                + " LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
                + " ORDER BY a.attnum")) {
            ps.setString(1, SqlText.relation(relation));
            try (ResultSet rs = ps.executeQuery()) {
                Map<String, String> columns = new LinkedHashMap<>();
                while (rs.next()) {
                    if (!rs.getBoolean(1)) {
                        return Optional.empty();
                    }
                    if (rs.getString(2) != null) {
                        columns.put(rs.getString(2), rs.getString(3));
                    }
                }
                return Optional.of(columns);
            }
        }
    }
}
