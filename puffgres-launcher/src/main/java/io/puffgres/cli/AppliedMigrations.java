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
 * The checksum is the migration file's, followed for a js or java transform by {@code :} and the transform file's
 * ({@link #recorded}); a record without the second part was made before transform files were checksummed, and {@code
 * apply} completes it.
 */
public final class AppliedMigrations {

    /** One applied version as recorded. */
    public record Applied(
            int version, String mapping, String namespace, String file, String checksum, String appliedAt) {}

    private final String table;

    public AppliedMigrations(String schema) {
        this.table = schema + ".migrations";
    }

    public String table() {
        return table;
    }

    /** Creates the schema and table when missing (under an advisory lock: two applies do not race). */
    public void ensure(Connection c) throws SQLException {
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
    public List<Applied> read(Connection c) throws SQLException {
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
    public void record(Connection c, List<Migration> migrations) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO " + table + " (version, mapping, namespace, file, checksum) VALUES (?, ?, ?, ?, ?)")) {
            for (Migration m : migrations) {
                insert.setInt(1, m.version());
                insert.setString(2, m.mappingName());
                insert.setString(3, m.namespace());
                insert.setString(4, m.file().toString());
                insert.setString(5, recorded(m));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** What is recorded for {@code m}: its file's checksum, then {@code :} and its transform file's, if any. */
    static String recorded(Migration m) {
        return m.transformChecksum().isEmpty() ? m.checksum() : m.checksum() + ":" + m.transformChecksum();
    }

    /**
     * Why the applied records and the files disagree: an applied file or its transform file edited (checksum), or the
     * file missing. Empty when every applied version is present unchanged.
     */
    public static List<String> conflicts(Project project, List<Applied> applied) {
        Map<Integer, Migration> files = byVersion(project);
        List<String> problems = new ArrayList<>();
        for (Applied a : applied) {
            Migration m = files.get(a.version());
            int colon = a.checksum().indexOf(':');
            String file = colon < 0 ? a.checksum() : a.checksum().substring(0, colon);
            if (m == null) {
                problems.add(a.file() + " was applied (version " + a.version() + ") but is missing");
            } else if (!m.checksum().equals(file)) {
                problems.add(edited(m.file().toString(), file, m.checksum()));
            } else if (colon >= 0 && !a.checksum().substring(colon + 1).equals(m.transformChecksum())) {
                problems.add(edited(
                        transformFile(m) + " (the transform of " + m.file() + ")",
                        a.checksum().substring(colon + 1),
                        m.transformChecksum()));
            }
        }
        return problems;
    }

    private static String edited(String what, String was, String now) {
        return what + " was edited after it was applied (checksum " + prefix(was) + "… is now " + prefix(now) + "…)";
    }

    private static String prefix(String checksum) {
        return checksum.substring(0, Math.min(12, checksum.length()));
    }

    /** The transform source of {@code m}, relative to the project directory. */
    public static String transformFile(Migration m) {
        return "puffgres/" + m.transform().path().orElseThrow();
    }

    /**
     * The applied migrations with a transform file whose record has no checksum of it (applied by a puffgres that did
     * not checksum transform files): an edit of the transform before now went unnoticed.
     */
    public static List<Migration> withoutTransformChecksum(Project project, List<Applied> applied) {
        Map<Integer, Migration> files = byVersion(project);
        return applied.stream()
                .filter(a -> a.checksum().indexOf(':') < 0)
                .map(a -> files.get(a.version()))
                .filter(m -> m != null && !m.transformChecksum().isEmpty())
                .toList();
    }

    /** Completes the records of {@code migrations} with their transform files' checksums (the caller commits). */
    public void recordTransformChecksums(Connection c, List<Migration> migrations) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE " + table + " SET checksum = ? WHERE version = ?")) {
            for (Migration m : migrations) {
                update.setString(1, recorded(m));
                update.setInt(2, m.version());
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    private static Map<Integer, Migration> byVersion(Project project) {
        Map<Integer, Migration> files = new LinkedHashMap<>();
        project.migrations().forEach(m -> files.put(m.version(), m));
        return files;
    }

    /** The project restricted to the applied versions (what {@code run} mirrors). */
    public static Project appliedOnly(Project project, List<Applied> applied) {
        List<Integer> versions = applied.stream().map(Applied::version).toList();
        return new Project(
                project.dir(),
                project.config(),
                project.migrations().stream()
                        .filter(m -> versions.contains(m.version()))
                        .toList());
    }
}
