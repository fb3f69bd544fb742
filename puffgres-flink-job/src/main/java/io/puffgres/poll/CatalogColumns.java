package io.puffgres.poll;

import io.puffgres.event.PgType;
import io.puffgres.event.RelationId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@link TableColumns} read from the catalog ({@code pg_attribute}, types as {@code format_type} prints them, a
 * domain's base type, the primary key, generated columns; dropped columns left out) for the tables the poll source follows, each once until {@link #refresh}ed. Borrows its connection
 * from {@code connection} for each read and never closes it. Used by one thread.
 */
public final class CatalogColumns implements TableColumns {

    private static final String COLUMNS = "SELECT a.attname, format_type(a.atttypid, a.atttypmod),"
            + " CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END,"
            + " coalesce(a.attnum = ANY (i.indkey), false), a.attgenerated <> ''"
            + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid"
            + " LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary"
            + " WHERE n.nspname = ? AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";

    private final Supplier<Connection> connection;
    private final Set<RelationId> followed;
    private final Map<RelationId, List<Column>> known = new HashMap<>();

    /**
     * @param connection the connection to read the catalog through (borrowed: not closed here)
     * @param followed the tables whose columns this gives; others have none ({@link #columns} is null)
     */
    public CatalogColumns(Supplier<Connection> connection, Set<RelationId> followed) {
        this.connection = connection;
        this.followed = Set.copyOf(followed);
    }

    /**
     * @throws IllegalStateException the catalog could not be read; the message names the table
     */
    @Override
    public List<Column> columns(RelationId table) {
        List<Column> columns = known.get(table);
        if (columns == null) {
            if (!followed.contains(table)) {
                return null;
            }
            columns = read(table);
            known.put(table, columns);
        }
        return columns;
    }

    @Override
    public void refresh(RelationId table) {
        known.remove(table);
    }

    private List<Column> read(RelationId table) {
        try (PreparedStatement ps = connection.get().prepareStatement(COLUMNS)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            List<Column> columns = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    PgType type = PgType.of(rs.getString(2));
                    String base = rs.getString(3);
                    columns.add(new Column(
                            rs.getString(1),
                            type,
                            base == null ? type : PgType.of(base),
                            rs.getBoolean(4),
                            rs.getBoolean(5)));
                }
            }
            return List.copyOf(columns);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot read the columns of " + table + " from pg_attribute: " + e.getMessage()
                            + "; check that the role may read the catalog and the table exists",
                    e);
        }
    }
}
