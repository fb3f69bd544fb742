package io.puffgres.source;

import io.puffgres.config.ProjectConfig;
import io.puffgres.event.PgIdentifiers;
import io.puffgres.event.RelationId;
import io.puffgres.migration.Migration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * What the job needs in Postgres before it starts: the tables CDC follows, our publication over exactly those
 * tables (created or altered by puffgres; no superuser needed, only ownership of the tables), and the replication
 * slot. Errors are {@link SetupException}s with the fix in the message.
 */
public final class ReplicationSetup {

    /** How often a slot creation that waits for other transactions names them. */
    static final Duration SLOT_WAIT_NOTE_EVERY = Duration.ofSeconds(5);

    private ReplicationSetup() {}

    /** A problem in Postgres that stops the job before it starts. */
    public static final class SetupException extends Exception {
        private static final long serialVersionUID = 1L;

        public SetupException(String message) {
            super(message);
        }
    }

    /**
     * The table whose changes drive {@code m}: its table, or for a view the declared {@code source.base_table}, else
     * the single table the view reads.
     */
    public static RelationId cdcRelation(Connection c, Migration m) throws SQLException, SetupException {
        if (!m.source().isView()) {
            return m.source().relation();
        }
        Optional<RelationId> declared = m.source().baseRelation();
        if (declared.isPresent()) {
            return declared.get();
        }
        List<RelationId> tables = viewTables(c, m.source().relation());
        if (tables.size() != 1) {
            throw new SetupException(m.file() + ": view " + m.source().relation() + " reads "
                    + (tables.isEmpty() ? "no table" : tables.size() + " tables " + tables)
                    + "; set source.base_table to the table whose changes should trigger lookups");
        }
        return tables.get(0);
    }

    /** The tables (plain or partitioned) that {@code view}'s definition reads, each once. */
    public static List<RelationId> viewTables(Connection c, RelationId view) throws SQLException {
        List<RelationId> tables = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT tn.nspname, t.relname"
                + " FROM pg_rewrite r JOIN pg_depend d ON d.objid = r.oid AND d.classid = 'pg_rewrite'::regclass"
                + " JOIN pg_class t ON t.oid = d.refobjid AND t.relkind IN ('r', 'p')"
                + " JOIN pg_namespace tn ON tn.oid = t.relnamespace"
                + " WHERE r.ev_class = (quote_ident(?) || '.' || quote_ident(?))::regclass AND t.oid <> r.ev_class")) {
            ps.setString(1, view.schema());
            ps.setString(2, view.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(new RelationId(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return tables;
    }

    /**
     * Creates {@code publication} for exactly {@code tables}, or sets its tables when it exists; from Postgres 13 on,
     * with {@code publish_via_partition_root}, so the changes of a partitioned table's partitions are published as
     * the table's (without it they carry each partition's name, and the source, which reads the table, drops them).
     */
    public static void ensurePublication(Connection c, String publication, Collection<RelationId> tables)
            throws SQLException {
        String list = tables.stream().map(PgIdentifiers::quote).collect(Collectors.joining(", "));
        boolean exists;
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                exists = rs.next();
            }
        }
        boolean viaRoot = c.getMetaData().getDatabaseMajorVersion() >= 13;
        try (Statement s = c.createStatement()) {
            String quoted = PgIdentifiers.quote(publication);
            if (exists) {
                s.execute("ALTER PUBLICATION " + quoted + " SET TABLE " + list);
                if (viaRoot) {
                    s.execute("ALTER PUBLICATION " + quoted + " SET (publish_via_partition_root = true)");
                }
            } else {
                s.execute("CREATE PUBLICATION " + quoted + " FOR TABLE " + list
                        + (viaRoot ? " WITH (publish_via_partition_root = true)" : ""));
            }
        }
    }

    /**
     * Refuses wal2json for a partitioned table: wal2json knows no publications and reports each change under the
     * partition's name, which the source, reading the table, would drop.
     */
    public static void checkPlugin(Connection c, String plugin, Collection<RelationId> tables)
            throws SQLException, SetupException {
        if (!plugin.equals("wal2json")) {
            return;
        }
        List<RelationId> partitioned = partitioned(c, tables);
        if (!partitioned.isEmpty()) {
            throw new SetupException(
                    partitioned.get(0) + " is a partitioned table, whose changes wal2json reports under each"
                            + " partition's name; stream with pgoutput (the default: no --poll, no --plugin wal2json), which"
                            + " publishes them as the table's");
        }
    }

    /** The partitioned tables among {@code tables}. */
    public static List<RelationId> partitioned(Connection c, Collection<RelationId> tables) throws SQLException {
        List<RelationId> partitioned = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT c.relkind = 'p' FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
            for (RelationId t : tables) {
                ps.setString(1, t.schema());
                ps.setString(2, t.name());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        partitioned.add(t);
                    }
                }
            }
        }
        return partitioned;
    }

    /**
     * Checks that {@code slot} exists (creating it with {@code plugin} when {@code create}); a missing slot
     * without {@code create} is an error, so a typo never silently starts a second stream.
     *
     * @return whether the slot was created now
     */
    public static boolean ensureSlot(
            Connection c,
            String slot,
            String plugin,
            boolean create,
            ProjectConfig.Postgres postgres,
            Consumer<String> notes)
            throws SQLException, SetupException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT plugin, database FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    if (!plugin.equals(rs.getString(1))) {
                        throw new SetupException("replication slot \"" + slot + "\" uses " + rs.getString(1) + ", not "
                                + plugin + "; pick another --slot or the slot's plugin");
                    }
                    if (!c.getCatalog().equals(rs.getString(2))) {
                        throw new SetupException("replication slot \"" + slot + "\" belongs to database "
                                + rs.getString(2) + "; pick another --slot");
                    }
                    return false;
                }
            }
        }
        if (!create) {
            throw new SetupException("replication slot \"" + slot + "\" does not exist; run with --create-slot to"
                    + " create it (a new slot starts with a snapshot of the mapped tables)");
        }
        SlotCreation.create(c, slot, plugin, postgres, SLOT_WAIT_NOTE_EVERY, notes);
        return true;
    }

    /** Moves {@code slot} forward to {@code lsn} (Postgres text form); a slot cannot move backwards. */
    public static void advanceSlot(Connection c, String slot, String lsn) throws SQLException, SetupException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT confirmed_flush_lsn, ?::pg_lsn < confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, lsn);
            ps.setString(2, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getBoolean(2)) {
                    throw new SetupException("--from-lsn " + lsn + " is before the slot's confirmed position "
                            + rs.getString(1) + "; Postgres has released that WAL, a slot only moves forward");
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_replication_slot_advance(?, ?::pg_lsn)")) {
            ps.setString(1, slot);
            ps.setString(2, lsn);
            ps.execute();
        }
    }

    /** The current WAL write position. */
    public static long currentLsn(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
            rs.next();
            return rs.getBigDecimal(1).longValueExact();
        }
    }
}
