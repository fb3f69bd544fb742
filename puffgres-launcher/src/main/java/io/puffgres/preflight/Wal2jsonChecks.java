package io.puffgres.preflight;

import io.puffgres.event.RelationId;
import io.puffgres.poll.Wal2JsonDecoder;
import io.puffgres.source.ReplicationSetup;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What reading wal2json needs ({@code --plugin wal2json} and poll mode): the server loads the plugin, and no mapped
 * table is partitioned (wal2json knows no publications and names each partition in its changes).
 */
final class Wal2jsonChecks {

    /**
     * A test slot's creation loads the plugin at once and then waits for the transactions running at that moment: a
     * wait cut short after this is no finding, since the plugin was loaded by then.
     */
    static final int TEST_SLOT_TIMEOUT_SECONDS = 2;

    private static final String NAME = "wal2json";

    private Wal2jsonChecks() {}

    /**
     * Whether the server loads wal2json. An output plugin is a shared library, not an extension, so no catalog lists
     * it: the check reads the job's own wal2json slot when it exists and nothing reads it ({@code
     * pg_logical_slot_peek_changes} up to one WAL record, which loads the plugin with the options of {@code source}
     * and moves nothing), else it creates a temporary slot with wal2json and drops it.
     *
     * @param canUseSlots whether wal_level and the role allow slots at all (else there is nothing to try)
     * @param ownRun this project's live run, which reads the slot: then the slot itself shows the plugin works
     */
    static Check plugin(Connection c, ChangeSource source, boolean canUseSlots, OptionalLong ownRun)
            throws SQLException {
        if (!canUseSlots) {
            return Check.skip(NAME, "could not check: needs wal_level = logical and the replication right (above)");
        }
        Optional<SlotChecks.Slot> slot = SlotChecks.read(c, source.slot());
        boolean ours = slot.filter(s -> "logical".equals(s.type())
                        && "wal2json".equals(s.plugin())
                        && s.ourDatabase().equals(s.database())
                        && !"lost".equals(s.walStatus()))
                .isPresent();
        if (ours && ownRun.isPresent()) {
            return Check.ok(NAME, "installed (this project's run, pid " + ownRun.getAsLong() + ", reads it)");
        }
        if (ours && slot.get().activePid() == null) {
            return peek(c, source);
        }
        return testSlot(c, source);
    }

    /** Decodes one WAL record of the job's slot without consuming it: loads the plugin with the source's options. */
    private static Check peek(Connection c, ChangeSource source) throws SQLException {
        try {
            decodeOneRecord(c, source.slot(), source);
        } catch (SQLException e) {
            return failure(c, e, source);
        }
        return Check.ok(
                NAME,
                "installed (" + SqlText.ident(source.slot()) + " decoded with it"
                        + (source.poll() ? " in format 2, as poll mode reads it" : "") + ")");
    }

    /** Creates a temporary slot with wal2json and drops it; a creation still waiting when cut short loaded it. */
    private static Check testSlot(Connection c, ChangeSource source) throws SQLException {
        String slot = "puffgres_doctor_" + ServerChecks.one(c, "SELECT pg_backend_pid()");
        try (PreparedStatement ps =
                c.prepareStatement("SELECT slot_name FROM pg_create_logical_replication_slot(?, 'wal2json', true)")) {
            ps.setString(1, slot);
            ps.setQueryTimeout(TEST_SLOT_TIMEOUT_SECONDS);
            ps.executeQuery().close();
        } catch (SQLException e) {
            if ("57014".equals(e.getSQLState())) {
                // Postgres loads the plugin before it waits for running transactions; the cancelled temporary slot
                // is dropped with the error
                return Check.ok(
                        NAME,
                        "installed (a test slot loaded it; its creation then waited for running transactions and was"
                                + " cancelled)");
            }
            return failure(c, e, source);
        }
        try {
            if (source.poll()) {
                try {
                    decodeOneRecord(c, slot, source);
                } catch (SQLException e) {
                    return failure(c, e, source);
                }
            }
        } finally {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                ps.setString(1, slot);
                ps.execute();
            }
        }
        return Check.ok(NAME, "installed (a test slot with it was created and dropped)");
    }

    /**
     * Decodes up to one WAL record of {@code slot} without consuming it, with the options the poll source reads with
     * in poll mode (every one of them: a wal2json that does not know one refuses it), else none.
     */
    private static void decodeOneRecord(Connection c, String slot, ChangeSource source) throws SQLException {
        List<String> options = source.poll() ? Wal2JsonDecoder.options(List.of()) : List.of();
        try (PreparedStatement ps =
                c.prepareStatement("SELECT count(*) FROM pg_logical_slot_peek_changes(?, '0/1', NULL, VARIADIC ?)")) {
            ps.setString(1, slot);
            ps.setArray(2, c.createArrayOf("text", options.toArray()));
            ps.executeQuery().close();
        }
    }

    private static Check failure(Connection c, SQLException e, ChangeSource source) throws SQLException {
        String message = ServerChecks.firstLine(String.valueOf(e.getMessage()));
        String instead =
                source.poll() ? "or stream with pgoutput (without --poll)" : "or use the default --plugin pgoutput";
        if (message.contains("could not access file")) {
            return Check.fail(
                    NAME,
                    "the server cannot load the wal2json output plugin (" + message + ")",
                    "install it on the Postgres server (Debian/Ubuntu: apt install postgresql-"
                            + ServerChecks.one(c, "SELECT current_setting('server_version_num')::int / 10000")
                            + "-wal2json), " + instead);
        }
        if (message.contains("format") || message.contains("unknown")) {
            return Check.fail(
                    NAME,
                    "the server's wal2json refuses the options poll mode reads with (" + message + ")",
                    "install wal2json 2.0 or later on the Postgres server (format-version 2), " + instead);
        }
        return Check.fail(
                NAME,
                "could not try it: " + message,
                "fix the cause in Postgres's message (e.g. a free slot under max_replication_slots)");
    }

    /**
     * One finding per partitioned table among {@code tables}: wal2json reports a partition's changes under the
     * partition's name, so the job, which follows the table, would never see them.
     */
    static List<Check> partitionedTables(Connection c, List<RelationId> tables, ChangeSource source)
            throws SQLException {
        List<Check> checks = new ArrayList<>();
        for (RelationId t : ReplicationSetup.partitioned(c, tables)) {
            checks.add(Check.fail(
                    "partitioned " + t,
                    t + " is a partitioned table, whose changes wal2json reports under each partition's name, so "
                            + (source.poll() ? "poll mode" : "--plugin wal2json") + " would never see them",
                    source.poll()
                            ? "stream with pgoutput (without --poll, [source] mode = \"stream\"), which publishes them"
                                    + " as the table's; or map each partition instead"
                            : "run with --plugin pgoutput (the default), which publishes them as the table's"));
        }
        return checks;
    }
}
