package io.puffgres.cli.generate;

import io.puffgres.event.PgType;
import io.puffgres.event.RelationId;
import io.puffgres.preflight.LookupPlan;
import io.puffgres.source.ReplicationSetup;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code puffgres generate} reads from Postgres: the tables and views a mapping can read, their columns
 * with the keys that make good ids, the tables a view reads, and whether a lookup query plans. Reads only (a
 * lookup check prepares and deallocates a statement). Not thread-safe: it uses one connection.
 */
final class PostgresCatalog {

    /** A table or view a mapping can read. */
    record Relation(RelationId id, boolean view) {
        String kind() {
            return view ? "view" : "table";
        }
    }

    /**
     * A column of a relation.
     *
     * @param sqlType the type as Postgres prints it ({@code character varying(20)})
     * @param key {@link #PRIMARY_KEY}, {@link #UNIQUE_NOT_NULL} or {@link #NO_KEY}: how well it identifies a row
     */
    record Column(String name, String sqlType, PgType type, boolean notNull, int key) {
        static final int PRIMARY_KEY = 0;
        static final int UNIQUE_NOT_NULL = 1;
        static final int NO_KEY = 2;
    }

    private final Connection connection;
    private final String stateSchema;

    /** @param stateSchema puffgres's own schema ({@code [state] schema}), left out of the relations */
    PostgresCatalog(Connection connection, String stateSchema) {
        this.connection = connection;
        this.stateSchema = stateSchema;
    }

    /** Tables (plain and partitioned, not partitions) and views outside the system schemas, by schema and name. */
    List<Relation> relations() throws SQLException {
        List<Relation> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT n.nspname, c.relname, c.relkind = 'v'"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind IN ('r', 'p', 'v') AND NOT c.relispartition"
                + " AND n.nspname NOT IN ('pg_catalog', 'information_schema', ?) AND n.nspname NOT LIKE 'pg\\_%'"
                + " ORDER BY n.nspname, c.relname")) {
            ps.setString(1, stateSchema);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Relation(new RelationId(rs.getString(1), rs.getString(2)), rs.getBoolean(3)));
                }
            }
        }
        return out;
    }

    /** The columns of {@code relation} in table order; a single-column primary key or unique index is a key. */
    List<Column> columns(RelationId relation) throws SQLException {
        List<Column> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT a.attname, format_type(a.atttypid,"
                + " a.atttypmod), a.attnotnull, (SELECT min(CASE WHEN i.indisprimary THEN 0 ELSE 1 END)"
                + " FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisunique AND i.indnatts = 1"
                + " AND i.indkey[0] = a.attnum AND i.indpred IS NULL AND i.indexprs IS NULL)"
                + " FROM pg_attribute a WHERE a.attrelid = (quote_ident(?) || '.' || quote_ident(?))::regclass"
                + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            ps.setString(1, relation.schema());
            ps.setString(2, relation.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    boolean notNull = rs.getBoolean(3);
                    int index = rs.getInt(4);
                    boolean indexed = !rs.wasNull();
                    int key = !indexed
                            ? Column.NO_KEY
                            : index == 0 ? Column.PRIMARY_KEY : notNull ? Column.UNIQUE_NOT_NULL : Column.NO_KEY;
                    String sqlType = rs.getString(2);
                    out.add(new Column(rs.getString(1), sqlType, PgType.of(sqlType), notNull || key == 0, key));
                }
            }
        }
        return out;
    }

    /**
     * Whether a DELETE on {@code table} carries {@code column} in its old row image: the replica identity is FULL,
     * or its key (the primary key by default, or the chosen index) includes the column.
     */
    boolean replicaIdentityCovers(RelationId table, String column) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT c.relreplident = 'f' OR EXISTS (SELECT 1"
                + " FROM pg_index i WHERE i.indrelid = c.oid AND a.attnum = ANY(i.indkey)"
                + " AND ((c.relreplident = 'd' AND i.indisprimary) OR (c.relreplident = 'i' AND i.indisreplident)))"
                + " FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
                + " WHERE c.oid = (quote_ident(?) || '.' || quote_ident(?))::regclass AND a.attname = ?")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            ps.setString(3, column);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** The tables {@code view} reads; the base table whose changes drive it is one of them. */
    List<RelationId> viewTables(RelationId view) throws SQLException {
        return ReplicationSetup.viewTables(connection, view);
    }

    /** Plans {@code sql} with {@code $1} typed as {@code idSqlType}, as the job runs it for each change. */
    Optional<LookupPlan.Problem> checkLookup(String sql, String idSqlType) throws SQLException {
        return LookupPlan.check(connection, sql, idSqlType);
    }
}
