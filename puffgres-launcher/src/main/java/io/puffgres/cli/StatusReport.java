package io.puffgres.cli;

import io.puffgres.dlq.DlqRecord;
import io.puffgres.dlq.DlqTable;
import io.puffgres.job.JobSpec;
import io.puffgres.migration.Project;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything {@code puffgres status} shows, gathered at one moment: the running job (its run file and the Flink REST
 * API), the replication slot and the DLQ. Immutable.
 *
 * @param run the running {@code puffgres run}, empty when none runs
 * @param job what the Flink REST API said; empty when no job runs or it could not be read ({@code jobError})
 * @param jobError why the REST API could not be read although a run is alive
 */
record StatusReport(
        Path project,
        Optional<RunFile> run,
        Optional<JobMetrics.Snapshot> job,
        Optional<String> jobError,
        Slot slot,
        Dlq dlq,
        Instant at) {

    /** How many of the latest unresolved DLQ entries are shown: enough to see a pattern, short enough to read. */
    static final int LAST_ERRORS = 5;

    /**
     * The replication slot.
     *
     * @param checkpointLsn {@code confirmed_flush_lsn}: where the job resumes, confirmed after each checkpoint
     * @param lagBytes WAL written since {@code checkpointLsn}
     */
    record Slot(String name, boolean exists, boolean active, Optional<String> checkpointLsn, Optional<Long> lagBytes) {}

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

    /**
     * Reads the run file, the REST API of a running job, and Postgres.
     *
     * @param slotName the slot to report when no job runs (a running job reports its own)
     * @throws SQLException when Postgres cannot be read
     */
    static StatusReport gather(Project project, String slotName) throws SQLException {
        Optional<RunFile> run = RunFile.live(RunFile.path(project));
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
        try (Connection c = JobSpec.connect(project.config().postgres())) {
            return new StatusReport(project.dir(), run, job, jobError, slot(c, slot), dlq(c, project), Instant.now());
        }
    }

    private static Slot slot(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT active, confirmed_flush_lsn::text,"
                + " pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint"
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return new Slot(name, false, false, Optional.empty(), Optional.empty());
                }
                boolean active = rs.getBoolean(1);
                Optional<String> lsn = Optional.ofNullable(rs.getString(2)); // null for a physical slot
                long lag = rs.getLong(3);
                return new Slot(name, true, active, lsn, lsn.map(l -> Math.max(0, lag)));
            }
        }
    }

    private static Dlq dlq(Connection c, Project project) throws SQLException {
        DlqTable table = new DlqTable(project.config().state().schema());
        if (!table.exists(c)) {
            return new Dlq(Map.of(), List.of());
        }
        return new Dlq(table.unresolvedByMapping(c), table.lastFailed(c, LAST_ERRORS));
    }
}
