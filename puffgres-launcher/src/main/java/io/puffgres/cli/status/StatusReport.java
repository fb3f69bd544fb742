package io.puffgres.cli.status;

import io.puffgres.cli.PostgresAccess;
import io.puffgres.cli.RunFile;
import io.puffgres.dlq.DlqRecord;
import io.puffgres.dlq.DlqTable;
import io.puffgres.fill.FillLedger;
import io.puffgres.migration.Migration;
import io.puffgres.migration.Project;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything {@code puffgres status} shows, gathered at one moment: the running job (its run file and the Flink REST
 * API), the replication slot and the DLQ. The job is read even when Postgres is not, and the other way round.
 * Immutable.
 *
 * @param run the running {@code puffgres run}, empty when none runs
 * @param job what the Flink REST API said; empty when no job runs or it could not be read ({@code jobError})
 * @param jobError why the REST API could not be read although a run is alive
 * @param stalled why the job is STALLED ({@link JobMetrics.Snapshot#stalled}), empty when it is not
 * @param slotName the slot shown: the running job's, else the one asked for
 * @param postgres the slot and the DLQ, or why Postgres could not be read
 */
record StatusReport(
        Path project,
        Optional<RunFile> run,
        Optional<JobMetrics.Snapshot> job,
        Optional<String> jobError,
        Optional<String> stalled,
        String slotName,
        Postgres postgres,
        Instant at) {

    /** How many of the latest unresolved DLQ entries are shown: enough to see a pattern, short enough to read. */
    static final int LAST_ERRORS = 5;

    /** What Postgres said: the slot and the DLQ, or why it could not be read. */
    sealed interface Postgres {
        /**
         * @param fills the fills not done, and the newest fill of each mapping's newest version
         * @param superseded older versions whose namespace a filled newer version replaced (no longer updated, or
         *     only until the run that still mirrors them ends)
         */
        record Read(Slot slot, Dlq dlq, List<FillLedger.Fill> fills, List<Migration> superseded) implements Postgres {}

        /** @param error the driver's message, e.g. {@code Connection to localhost:5432 refused …} */
        record Unreachable(String error) implements Postgres {}
    }

    /**
     * The replication slot.
     *
     * @param checkpointLsn {@code confirmed_flush_lsn}: where the job resumes, confirmed after each checkpoint
     * @param lagBytes WAL written since {@code checkpointLsn}
     * @param walStatus {@code wal_status}: {@code reserved}, {@code extended}, {@code unreserved} (WAL past {@code
     *     max_slot_wal_keep_size}, removed at the next Postgres checkpoint) or {@code lost} (the slot is invalidated)
     * @param safeWalSize {@code safe_wal_size}: WAL that may still be written before the slot risks becoming
     *     {@code lost}; empty unless {@code max_slot_wal_keep_size} is set
     */
    record Slot(
            boolean exists,
            boolean active,
            Optional<String> checkpointLsn,
            Optional<Long> lagBytes,
            Optional<String> walStatus,
            Optional<Long> safeWalSize) {

        static final Slot MISSING =
                new Slot(false, false, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** DLQ figures; all empty when the table does not exist yet. */
    record Dlq(Map<String, Long> unresolvedByMapping, List<DlqRecord> lastErrors) {
        long unresolved() {
            return unresolvedByMapping.values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        }
    }

    boolean running() {
        return run.isPresent();
    }

    /** Reads the run file, the REST API of a running job, and Postgres; a failure of either is part of the report. */
    static StatusReport gather(Project project, PostgresAccess postgresAccess, String slotName) {
        Optional<RunFile> run = RunFile.live(project);
        Optional<JobMetrics.Snapshot> job = Optional.empty();
        Optional<String> jobError = Optional.empty();
        if (run.isPresent()) {
            if (run.get().restUrl().isEmpty()) {
                jobError = Optional.of("the run has no web UI (--web-ui-port -1), so no metrics");
            } else {
                try {
                    job = Optional.of(
                            new JobMetrics(run.get().restUrl(), run.get().jobId()).read());
                } catch (IOException e) {
                    jobError = Optional.of("cannot read the Flink REST API: " + e.getMessage());
                }
            }
        }
        String slot = run.map(RunFile::slot).orElse(slotName);
        Postgres postgres;
        try (Connection c = postgresAccess.open()) {
            FillLedger ledger = new FillLedger(project.config().state().schema());
            postgres = ledger.exists(c)
                    ? new Postgres.Read(
                            slot(c, slot), dlq(c, project), fills(c, ledger, project), superseded(c, ledger, project))
                    : new Postgres.Read(slot(c, slot), dlq(c, project), List.of(), List.of());
        } catch (SQLException e) {
            postgres = new Postgres.Unreachable(e.getMessage());
        }
        Instant now = Instant.now();
        Duration stallAfter = Duration.ofMillis(project.config().flink().stallAfterMs());
        Optional<String> stalled = job.flatMap(j -> j.stalled(stallAfter, now));
        return new StatusReport(project.dir(), run, job, jobError, stalled, slot, postgres, now);
    }

    private static Slot slot(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT active, confirmed_flush_lsn::text,"
                + " pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint, wal_status, safe_wal_size"
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Slot.MISSING;
                }
                boolean active = rs.getBoolean(1);
                Optional<String> lsn = Optional.ofNullable(rs.getString(2)); // null for a physical slot
                long lag = rs.getLong(3);
                Optional<String> walStatus = Optional.ofNullable(rs.getString(4));
                long safe = rs.getLong(5);
                Optional<Long> safeWalSize = rs.wasNull() ? Optional.empty() : Optional.of(safe);
                return new Slot(true, active, lsn, lsn.map(l -> Math.max(0, lag)), walStatus, safeWalSize);
            }
        }
    }

    private static List<FillLedger.Fill> fills(Connection c, FillLedger ledger, Project project) throws SQLException {
        Map<Long, FillLedger.Fill> shown = new TreeMap<>();
        for (FillLedger.Fill f : ledger.open(c)) {
            shown.put(f.id(), f);
        }
        for (Migration m : project.effectiveMappings()) {
            ledger.latest(c, m.mappingName(), m.version()).ifPresent(f -> shown.put(f.id(), f));
        }
        return List.copyOf(shown.values());
    }

    /**
     * For each mapping whose newest version's namespace is filled: the older version it replaced, when that one wrote
     * to another namespace that was filled too (and so may still be read by the application).
     */
    private static List<Migration> superseded(Connection c, FillLedger ledger, Project project) throws SQLException {
        List<Migration> found = new ArrayList<>();
        for (Migration m : project.effectiveMappings()) {
            Optional<FillLedger.Fill> newest = ledger.latest(c, m.mappingName(), m.version());
            if (newest.isEmpty() || !newest.get().filled()) {
                continue;
            }
            project.migrations().stream()
                    .filter(o -> o.mappingName().equals(m.mappingName()) && o.version() < m.version())
                    .filter(o -> !o.namespace().equals(m.namespace()))
                    .max(Comparator.comparingInt(Migration::version))
                    .ifPresent(found::add);
        }
        return found;
    }

    private static Dlq dlq(Connection c, Project project) throws SQLException {
        DlqTable table = new DlqTable(project.config().state().schema());
        if (!table.exists(c)) {
            return new Dlq(Map.of(), List.of());
        }
        return new Dlq(table.unresolvedByMapping(c), table.lastFailed(c, LAST_ERRORS));
    }
}
