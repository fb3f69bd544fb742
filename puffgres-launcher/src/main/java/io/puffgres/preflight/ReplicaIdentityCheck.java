package io.puffgres.preflight;

import io.puffgres.event.RelationId;
import io.puffgres.migration.Migration;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Whether a table's replica identity puts the id column into the old row of a DELETE (or of an UPDATE that changes
 * the id): without it the job cannot tell which document to delete. A table with no identity at all (NOTHING, DEFAULT
 * without a primary key, an index since dropped) is worse: once published, Postgres refuses the application's own
 * UPDATE and DELETE on it. The fix names the cheapest identity that works: DEFAULT when the primary key has the column,
 * else a usable unique index with it, else FULL.
 */
final class ReplicaIdentityCheck {

    /** An index of the table: its key columns, and whether Postgres accepts it as a replica identity. */
    private record Index(String name, boolean primary, boolean identity, boolean usable, List<String> columns) {
        String describe() {
            return (primary ? "primary key" : "index " + SqlText.ident(name)) + " (" + String.join(", ", columns) + ")";
        }
    }

    private ReplicaIdentityCheck() {}

    static Check run(Connection c, RelationId table, Migration m) throws SQLException {
        String name = "replica identity " + table;
        String id = m.id().column();
        char identity;
        boolean hasColumn;
        try (PreparedStatement ps = c.prepareStatement("SELECT c.relreplident, EXISTS (SELECT 1 FROM pg_attribute a"
                + " WHERE a.attrelid = c.oid AND a.attname = ? AND a.attnum > 0 AND NOT a.attisdropped)"
                + " FROM pg_class c WHERE c.oid = to_regclass(?)")) {
            ps.setString(1, id);
            ps.setString(2, SqlText.relation(table));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                identity = rs.getString(1).charAt(0);
                hasColumn = rs.getBoolean(2);
            }
        }
        if (!hasColumn) {
            return Check.fail(
                    name,
                    "has no column " + SqlText.ident(id) + " (the id column of mapping " + m.mappingName() + ")",
                    "fix id.column in " + m.file());
        }
        List<Index> indexes = indexes(c, table);
        String lost = "; a DELETE would not carry " + id + ", so deleted rows would stay in turbopuffer";
        String refused = ": once the table is published, Postgres refuses every UPDATE and DELETE of the application on"
                + " it (\"cannot update table ... because it does not have a replica identity and publishes"
                + " updates\"), even after puffgres stops; puffgres run does not publish it";
        switch (identity) {
            case 'f' -> {
                return Check.ok(name, "FULL");
            }
            case 'd' -> {
                Optional<Index> pk = indexes.stream().filter(Index::primary).findFirst();
                if (pk.isEmpty()) {
                    return Check.fail(name, "DEFAULT without a primary key" + refused, fix(table, id, indexes));
                }
                return pk.get().columns().contains(id)
                        ? Check.ok(name, "DEFAULT: " + pk.get().describe() + " includes " + id)
                        : Check.fail(
                                name,
                                "DEFAULT: " + pk.get().describe() + " does not include " + id + lost,
                                fix(table, id, indexes));
            }
            case 'i' -> {
                Optional<Index> index = indexes.stream().filter(Index::identity).findFirst();
                if (index.isPresent() && index.get().columns().contains(id)) {
                    return Check.ok(name, "USING INDEX: " + index.get().describe() + " includes " + id);
                }
                if (index.isEmpty()) {
                    return Check.fail(
                            name, "USING INDEX of an index that no longer exists" + refused, fix(table, id, indexes));
                }
                return Check.fail(
                        name,
                        "USING INDEX: " + index.get().describe() + " does not include " + id + lost,
                        fix(table, id, indexes));
            }
            default -> {
                return Check.fail(name, "NOTHING" + refused, fix(table, id, indexes));
            }
        }
    }

    private static String fix(RelationId table, String id, List<Index> indexes) {
        String alter = "ALTER TABLE " + SqlText.relation(table) + " REPLICA IDENTITY ";
        for (Index i : indexes) {
            if (i.primary() && i.columns().contains(id)) {
                return alter + "DEFAULT;";
            }
        }
        for (Index i : indexes) {
            if (i.usable() && i.columns().contains(id)) {
                return alter + "USING INDEX " + SqlText.ident(i.name()) + ";";
            }
        }
        return alter + "FULL;";
    }

    private static List<Index> indexes(Connection c, RelationId table) throws SQLException {
        List<Index> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT ic.relname, i.indisprimary, i.indisreplident,"
                + " i.indisunique AND i.indimmediate AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL"
                + "  AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid"
                + "   AND a.attnum = ANY (i.indkey::int2[]) AND NOT a.attnotnull),"
                + " ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)"
                + "  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                + "  WHERE k.n <= i.indnkeyatts ORDER BY k.n)"
                + " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
                + " WHERE i.indrelid = to_regclass(?) ORDER BY NOT i.indisprimary, ic.relname")) {
            ps.setString(1, SqlText.relation(table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Array columns = rs.getArray(5);
                    out.add(new Index(
                            rs.getString(1), rs.getBoolean(2), rs.getBoolean(3), rs.getBoolean(4), Arrays.asList((String
                                            [])
                                    columns.getArray())));
                }
            }
        }
        return out;
    }
}
