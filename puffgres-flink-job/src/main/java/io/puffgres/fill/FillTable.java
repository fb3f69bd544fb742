package io.puffgres.fill;

import io.puffgres.event.PgIdentifiers;
import io.puffgres.event.PgType;
import io.puffgres.event.RelationId;
import io.puffgres.membership.Predicate;
import io.puffgres.membership.PredicateTypeException;
import io.puffgres.migration.Membership;
import io.puffgres.migration.Migration;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a fill of one mapping reads, resolved from the catalog: the relation (the table, or for a {@code view} mapping
 * the view), the key it is split by, the columns to select and the membership predicate pushed down. The key is the
 * primary key; without one, the mapping's id column when a unique index covers it (NULL ids then live in a chunk of
 * their own); a view is keyed by the id column. Immutable; the SQL fragments it gives quote every identifier.
 *
 * @param mapping the mapping's name, for messages
 * @param relation the table or view read
 * @param keys the key columns in key order
 * @param id the mapping's id column (what a sweep looks its document ids up by)
 * @param columns the columns selected: the mapping's {@link Migration#readColumns()}
 * @param predicate the {@code dsl} predicate as SQL when it is pushed down as {@code WHERE}; empty for the other
 *     modes ({@code view} filters itself, {@code lookup} is decided by the lookup stage) and for a predicate that does
 *     not bind to the columns' types (each row then goes to the DLQ as the stream would send it)
 */
public record FillTable(
        String mapping,
        RelationId relation,
        List<KeyColumn> keys,
        KeyColumn id,
        List<String> columns,
        Optional<String> predicate)
        implements Serializable {

    private static final Logger LOG = LoggerFactory.getLogger(FillTable.class);

    /**
     * One key column.
     *
     * @param type the SQL type name without modifiers ({@code format_type(oid, NULL)}), for {@code ?::type} casts
     * @param nullable whether the column admits NULL (a unique, not NOT NULL id column; a view's column)
     */
    public record KeyColumn(String name, String type, boolean nullable) implements Serializable {}

    public FillTable {
        keys = List.copyOf(keys);
        columns = List.copyOf(columns);
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a fill table needs a key");
        }
    }

    /**
     * Resolves {@code m}'s fill from the catalog through {@code c}.
     *
     * @throws FillTableException the relation or a column is missing, or a table has neither a primary key nor a
     *     unique index on the id column: the message names mapping and table and gives the fix
     */
    public static FillTable resolve(Connection c, Migration m) throws SQLException, FillTableException {
        RelationId relation = m.source().relation();
        String what = m.source().isView() ? "view" : "table";
        if (!exists(c, relation)) {
            throw new FillTableException("mapping " + m.mappingName() + ": " + what + " " + relation
                    + " does not exist; create it, or correct [source] in " + m.file());
        }
        List<String> columns = List.copyOf(m.readColumns());
        Map<String, PgType> types = columnTypes(c, m, relation, what, columns);
        List<KeyColumn> keys = m.source().isView() ? viewKey(c, m, relation) : tableKey(c, m, relation);
        return new FillTable(
                m.mappingName(), relation, keys, column(c, relation, m.id().column()), columns, pushedDown(m, types));
    }

    private static boolean exists(Connection c, RelationId relation) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, PgIdentifiers.quote(relation));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** The selected columns' types as rows will carry them ({@link io.puffgres.lookup.JdbcRows}). */
    private static Map<String, PgType> columnTypes(
            Connection c, Migration m, RelationId relation, String what, List<String> columns)
            throws SQLException, FillTableException {
        Map<String, Integer> present = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT attname, attnum FROM pg_attribute"
                + " WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped")) {
            ps.setString(1, PgIdentifiers.quote(relation));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    present.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        List<String> missing =
                columns.stream().filter(col -> !present.containsKey(col)).toList();
        if (!missing.isEmpty()) {
            throw new FillTableException("mapping " + m.mappingName() + ": " + what + " " + relation
                    + " has no column " + String.join(", ", missing) + "; add it, or remove it from columns in "
                    + m.file());
        }
        Map<String, PgType> types = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + selectList(columns) + " FROM " + PgIdentifiers.quote(relation) + " LIMIT 0")) {
            ResultSetMetaData md = ps.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                types.put(md.getColumnLabel(i), PgType.of(md.getColumnTypeName(i)));
            }
        }
        return types;
    }

    /** The primary key, else the id column when a unique index covers it. */
    private static List<KeyColumn> tableKey(Connection c, Migration m, RelationId relation)
            throws SQLException, FillTableException {
        List<KeyColumn> primary = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT a.attname, format_type(a.atttypid, NULL), a.attnotnull"
                + " FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)"
                + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                + " WHERE i.indrelid = to_regclass(?) AND i.indisprimary AND k.n <= i.indnkeyatts ORDER BY k.n")) {
            ps.setString(1, PgIdentifiers.quote(relation));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    primary.add(new KeyColumn(rs.getString(1), rs.getString(2), !rs.getBoolean(3)));
                }
            }
        }
        if (!primary.isEmpty()) {
            return primary;
        }
        String id = m.id().column();
        try (PreparedStatement ps = c.prepareStatement("SELECT format_type(a.atttypid, NULL), a.attnotnull"
                + " FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
                + " WHERE i.indrelid = to_regclass(?) AND a.attname = ? AND i.indisunique AND i.indnkeyatts = 1"
                + " AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL LIMIT 1")) {
            ps.setString(1, PgIdentifiers.quote(relation));
            ps.setString(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return List.of(new KeyColumn(id, rs.getString(1), !rs.getBoolean(2)));
                }
            }
        }
        String table = PgIdentifiers.quote(relation);
        throw new FillTableException("mapping " + m.mappingName() + ": table " + relation
                + " has no primary key and no unique index on its id column " + id
                + ", so a fill cannot split it into key ranges; add one: ALTER TABLE " + table + " ADD PRIMARY KEY ("
                + PgIdentifiers.quote(id) + "); or CREATE UNIQUE INDEX ON " + table + " (" + PgIdentifiers.quote(id)
                + ");");
    }

    /** A view has no index: it is keyed by the mapping's id column, whose rows with the same id read together. */
    private static List<KeyColumn> viewKey(Connection c, Migration m, RelationId view) throws SQLException {
        return List.of(
                new KeyColumn(m.id().column(), column(c, view, m.id().column()).type(), true));
    }

    /** Column {@code name} of {@code relation}, which has it (it is among the read columns, found above). */
    private static KeyColumn column(Connection c, RelationId relation, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT format_type(atttypid, NULL), attnotnull"
                + " FROM pg_attribute WHERE attrelid = to_regclass(?) AND attname = ? AND NOT attisdropped")) {
            ps.setString(1, PgIdentifiers.quote(relation));
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new KeyColumn(name, rs.getString(1), !rs.getBoolean(2));
            }
        }
    }

    private static Optional<String> pushedDown(Migration m, Map<String, PgType> types) {
        if (m.membership().mode() != Membership.Mode.DSL) {
            return Optional.empty();
        }
        Predicate predicate = m.membership().predicate().orElseThrow();
        try {
            predicate.bind(types);
            return Optional.of(predicate.toSql());
        } catch (PredicateTypeException e) {
            LOG.warn(
                    "mapping {}: the membership predicate does not bind to the columns of {} ({}); the fill reads every"
                            + " row and each goes to the DLQ as a membership failure, as the stream sends it",
                    m.mappingName(),
                    m.source().relation(),
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** The relation as quoted SQL. */
    public String relationSql() {
        return PgIdentifiers.quote(relation);
    }

    /** Whether some rows may have a NULL key, which no range holds (a one-column key that admits NULL). */
    public boolean nullableKey() {
        return keys.size() == 1 && keys.get(0).nullable();
    }

    /** The key columns, quoted and comma-separated: the ORDER BY of every read. */
    public String keyList() {
        return String.join(
                ", ", keys.stream().map(k -> PgIdentifiers.quote(k.name())).toList());
    }

    /** The key columns as text, for reading bounds. */
    String keyTextList() {
        return String.join(
                ", ",
                keys.stream().map(k -> PgIdentifiers.quote(k.name()) + "::text").toList());
    }

    /** The id column, quoted. */
    public String quotedId() {
        return PgIdentifiers.quote(id.name());
    }

    /** The selected columns, quoted and comma-separated. */
    public String selectList() {
        return selectList(columns);
    }

    private static String selectList(List<String> columns) {
        return String.join(", ", columns.stream().map(PgIdentifiers::quote).toList());
    }

    /**
     * The condition selecting {@code chunk}'s rows, with a {@code ?} per bound value (bind them with {@link
     * #bind}): a composite key compares as a row value, {@code ("a", "b") >= (?::int8, ?::text)}.
     */
    public String range(Chunk chunk) {
        String key = keys.size() == 1 ? PgIdentifiers.quote(keys.get(0).name()) : "(" + keyList() + ")";
        if (chunk.nullKeys()) {
            return key + " IS NULL";
        }
        List<String> conditions = new ArrayList<>(3);
        if (nullableKey()) {
            conditions.add(key + " IS NOT NULL");
        }
        if (!chunk.lower().isEmpty()) {
            conditions.add(key + " >= " + parameters());
        }
        if (!chunk.upper().isEmpty()) {
            conditions.add(key + " < " + parameters());
        }
        return conditions.isEmpty() ? "true" : String.join(" AND ", conditions);
    }

    /** One cast parameter per key column: {@code ?::int8}, or {@code (?::int8, ?::text)}. */
    String parameters() {
        List<String> casts = keys.stream().map(k -> "?::" + k.type()).toList();
        return casts.size() == 1 ? casts.get(0) : "(" + String.join(", ", casts) + ")";
    }

    /** Binds {@code chunk}'s bounds to the parameters of {@link #range}, from parameter {@code first}; the next one. */
    public int bind(PreparedStatement ps, Chunk chunk, int first) throws SQLException {
        int i = first;
        for (String value : chunk.lower()) {
            ps.setString(i++, value);
        }
        for (String value : chunk.upper()) {
            ps.setString(i++, value);
        }
        return i;
    }
}
