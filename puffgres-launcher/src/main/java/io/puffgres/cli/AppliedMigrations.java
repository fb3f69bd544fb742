package io.puffgres.cli;

import io.puffgres.dlq.DlqTable;
import io.puffgres.migration.Migration;
import io.puffgres.migration.Project;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The record of applied migrations, {@code <state schema>.migrations} in Postgres: one row per applied version with
 * its mapping, namespace, file and checksum. Created on first use; {@code run} mirrors exactly the applied versions.
 */
final class AppliedMigrations {

    /** One applied version as recorded. */
    record Applied(int version, String mapping, String namespace, String file, String checksum, String appliedAt) {}

    private final String table;

    AppliedMigrations(String schema) {
        this.table = schema + ".migrations";
    }

    String table() {
        return table;
    }

    /** Creates the schema and table when missing (under an advisory lock: two applies do not race). */
    void ensure(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(hashtext('puffgres.migrations.create'))");
            DlqTable.ensureSchema(c, table.substring(0, table.indexOf('.')));
            s.execute("CREATE TABLE IF NOT EXISTS " + table + " ("
                    + "version int PRIMARY KEY,"
                    + "mapping text NOT NULL,"
                    + "namespace text NOT NULL,"
                    + "file text NOT NULL,"
                    + "checksum text NOT NULL,"
                    + "applied_at timestamptz NOT NULL DEFAULT now())");
        }
    }

    /** The applied versions in version order; empty when the table does not exist yet. */
    List<Applied> read(Connection c) throws SQLException {
        List<Applied> out = new ArrayList<>();
        try (PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            exists.setString(1, table);
            try (ResultSet rs = exists.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return out;
                }
            }
        }
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT version, mapping, namespace, file, checksum, applied_at::text FROM "
                                + table + " ORDER BY version")) {
            while (rs.next()) {
                out.add(new Applied(
                        rs.getInt(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6)));
            }
        }
        return out;
    }

    /** Records {@code migrations} as applied (the caller commits). */
    void record(Connection c, List<Migration> migrations) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO " + table + " (version, mapping, namespace, file, checksum) VALUES (?, ?, ?, ?, ?)")) {
            for (Migration m : migrations) {
                insert.setInt(1, m.version());
                insert.setString(2, m.mappingName());
                insert.setString(3, m.namespace());
                insert.setString(4, m.file().toString());
                insert.setString(5, m.checksum());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /**
     * Why the applied records and the files disagree: an applied file edited (checksum) or missing. Empty when every
     * applied version is present unchanged.
     */
    static List<String> conflicts(Project project, List<Applied> applied) {
        Map<Integer, Migration> files = new LinkedHashMap<>();
        project.migrations().forEach(m -> files.put(m.version(), m));
        List<String> problems = new ArrayList<>();
        for (Applied a : applied) {
            Migration m = files.get(a.version());
            if (m == null) {
                problems.add(a.file() + " was applied (version " + a.version() + ") but is missing");
            } else if (!m.checksum().equals(a.checksum())) {
                problems.add(m.file() + " was edited after it was applied (checksum "
                        + a.checksum().substring(0, 12) + "… is now "
                        + m.checksum().substring(0, 12) + "…)");
            }
        }
        return problems;
    }

    /** The project restricted to the applied versions (what {@code run} mirrors). */
    static Project appliedOnly(Project project, List<Applied> applied) {
        List<Integer> versions = applied.stream().map(Applied::version).toList();
        return new Project(
                project.dir(),
                project.config(),
                project.migrations().stream()
                        .filter(m -> versions.contains(m.version()))
                        .toList());
    }
}
