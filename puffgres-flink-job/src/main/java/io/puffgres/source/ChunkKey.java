package io.puffgres.source;

import io.puffgres.event.PgIdentifiers;
import io.puffgres.event.RelationId;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The column Flink CDC splits each table's snapshot by. A table with a primary key is split by it; a table without
 * one needs {@code scan.incremental.snapshot.chunk.key-column}, else the snapshot fails and the job restarts without
 * end. Flink CDC 3.5.0's Postgres source takes one such column name for every table it reads (not one per table), so
 * when a mapped table has no primary key the key is an id column of those tables that every mapped table has as a
 * unique NOT NULL column. Reads the catalog only.
 */
public final class ChunkKey {

    /** A table no chunk key fits: what is missing, and the statement that fixes it. */
    public record Problem(RelationId table, String detail, String fix) {}

    /**
     * The choice: the column to pass (empty when every table has a primary key), or why none fits.
     *
     * @param column set when a table has no primary key and one column fits every table
     * @param problems one per table that stands in the way; the column is empty when there are any
     */
    public record Choice(Optional<String> column, List<Problem> problems) {}

    /** What the catalog says of one table: whether it has a primary key, its single-column unique NOT NULL keys. */
    private record Keys(boolean primary, Set<String> uniqueNotNull) {}

    private ChunkKey() {}

    /**
     * @param idColumns each table CDC reads, with the id columns of the mappings on it (in mapping order)
     */
    public static Choice choose(Connection c, Map<RelationId, List<String>> idColumns) throws SQLException {
        Map<RelationId, Keys> keys = new LinkedHashMap<>();
        for (RelationId table : idColumns.keySet()) {
            keys.put(table, keys(c, table));
        }
        List<Problem> problems = new ArrayList<>();
        Set<String> candidates = new TreeSet<>();
        RelationId firstWithout = null;
        for (Map.Entry<RelationId, Keys> e : keys.entrySet()) {
            if (e.getValue().primary()) {
                continue;
            }
            RelationId table = e.getKey();
            List<String> ids = idColumns.get(table);
            List<String> usable =
                    ids.stream().filter(e.getValue().uniqueNotNull()::contains).toList();
            if (usable.isEmpty()) {
                problems.add(new Problem(
                        table,
                        table + " has no primary key, and its id column " + String.join(", ", ids)
                                + " is not a unique NOT NULL column: Flink CDC cannot split its snapshot, and the job"
                                + " would restart without end",
                        addPrimaryKey(table, ids.get(0)) + " (the id must be unique and NOT NULL)"));
                continue;
            }
            if (firstWithout == null) {
                firstWithout = table;
            }
            candidates.addAll(usable);
        }
        if (firstWithout == null || !problems.isEmpty()) {
            return new Choice(Optional.empty(), problems);
        }
        // the one column name must be a unique NOT NULL column of every table, those with a primary key too
        candidates.removeIf(column ->
                keys.values().stream().anyMatch(k -> !k.uniqueNotNull().contains(column)));
        if (!candidates.isEmpty()) {
            return new Choice(Optional.of(candidates.iterator().next()), List.of());
        }
        for (Map.Entry<RelationId, Keys> e : keys.entrySet()) {
            if (!e.getValue().primary()) {
                RelationId table = e.getKey();
                String id = idColumns.get(table).get(0);
                problems.add(new Problem(
                        table,
                        table + " has no primary key, so its snapshot is split by its id column " + id + "; Flink CDC"
                                + " splits every mapped table by that one column name, and not every mapped table has"
                                + " it as a unique NOT NULL column",
                        addPrimaryKey(table, id)));
            }
        }
        return new Choice(Optional.empty(), problems);
    }

    private static String addPrimaryKey(RelationId table, String column) {
        return "ALTER TABLE " + PgIdentifiers.quote(table) + " ADD PRIMARY KEY (" + PgIdentifiers.quote(column) + ");";
    }

    private static Keys keys(Connection c, RelationId table) throws SQLException {
        String regclass = PgIdentifiers.quote(table);
        try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM pg_index i"
                + " WHERE i.indrelid = to_regclass(?) AND i.indisprimary),"
                + " ARRAY(SELECT DISTINCT a.attname::text FROM pg_index i"
                + "  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
                + "  WHERE i.indrelid = to_regclass(?) AND i.indisunique AND i.indnkeyatts = 1 AND i.indisvalid"
                + "  AND i.indpred IS NULL AND i.indexprs IS NULL AND a.attnotnull)")) {
            ps.setString(1, regclass);
            ps.setString(2, regclass);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Array columns = rs.getArray(2);
                return new Keys(rs.getBoolean(1), new TreeSet<>(Arrays.asList((String[]) columns.getArray())));
            }
        }
    }
}
