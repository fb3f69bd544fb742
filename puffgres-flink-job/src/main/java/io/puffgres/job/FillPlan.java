package io.puffgres.job;

import io.puffgres.fill.FillLedger;
import io.puffgres.fill.FillRequest;
import io.puffgres.migration.Migration;
import io.puffgres.migration.Project;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What a run fills, decided from the fills ledger before the job starts, and which older mapping versions it keeps
 * mirroring meanwhile (docs/job.md, "Filling a namespace"). A mapping version with no fill in the ledger is filled:
 * every one when the slot is new (the initial load), else as a new mapping or a new version. A fill not done yet
 * (pending, running, or failed in an earlier run) is taken up again; its source restores its own progress from the
 * checkpoint. A project whose slot existed before puffgres kept the ledger had its namespaces filled by Flink CDC's
 * snapshot: its mapping versions are recorded as adopted, not read again; so are those of a run told to stream from
 * a WAL position ({@code --from-lsn}).
 *
 * @param fills the fills the job runs, one source each
 * @param kept older versions mirrored into their own namespace until the newer version's namespace is filled
 */
public record FillPlan(List<Fill> fills, List<Migration> kept) {

    /**
     * A fill the job runs: the ledger's row and the migration whose namespace it fills.
     *
     * @param sweep whether the fill also deletes the namespace's documents without a member row ({@link
     *     FillRequest#sweep()}): a repair, or a new version that keeps the namespace of an older one (whose documents
     *     it no longer wants would stay)
     */
    public record Fill(FillLedger.Fill row, Migration migration, boolean sweep) {

        /** What the fill's source reads: this fill, in chunks of about {@code chunkRows} ({@code [fill] chunk_rows}). */
        public FillRequest request(int chunkRows) {
            return new FillRequest(row.id(), migration.mappingName(), migration.version(), chunkRows, sweep);
        }
    }

    /**
     * Decides (and records in the ledger, which it creates when missing) the fills of a run of {@code newest}, the
     * project's effective mappings.
     *
     * @param slotCreated the run created its replication slot just now: everything is filled
     * @param fromLsn the run streams from a given WAL position ({@code --from-lsn}), which means without a snapshot:
     *     mapping versions without a fill are recorded as adopted
     */
    public static FillPlan decide(
            Connection c,
            Project project,
            List<Migration> newest,
            FillLedger ledger,
            boolean slotCreated,
            boolean fromLsn)
            throws SQLException {
        boolean tracked = ledger.exists(c);
        ledger.ensure(c);
        List<Fill> fills = new ArrayList<>();
        List<Migration> kept = new ArrayList<>();
        for (Migration m : newest) {
            Optional<FillLedger.Fill> latest = ledger.latest(c, m.mappingName(), m.version());
            if (latest.isEmpty()) {
                FillLedger.Reason reason =
                        fromLsn ? FillLedger.Reason.ADOPTED : reason(c, ledger, m, tracked, slotCreated);
                long id = ledger.request(c, m.mappingName(), m.version(), m.namespace(), reason);
                if (reason == FillLedger.Reason.ADOPTED) {
                    ledger.done(c, id, -1, 0);
                    continue;
                }
                latest = ledger.get(c, id);
            }
            FillLedger.Fill row = latest.orElseThrow();
            if (row.filled()) {
                continue;
            }
            fills.add(new Fill(row, m, sweeps(project, m, row.reason())));
            olderFilled(c, project, ledger, m).ifPresent(kept::add);
        }
        return new FillPlan(List.copyOf(fills), List.copyOf(kept));
    }

    private static FillLedger.Reason reason(
            Connection c, FillLedger ledger, Migration m, boolean tracked, boolean slotCreated) throws SQLException {
        if (slotCreated) {
            return FillLedger.Reason.INITIAL;
        }
        if (!tracked) {
            return FillLedger.Reason.ADOPTED;
        }
        boolean anyVersion = !ledger.of(c, m.mappingName()).isEmpty();
        return anyVersion ? FillLedger.Reason.NEW_VERSION : FillLedger.Reason.NEW_MAPPING;
    }

    /**
     * Whether a fill of {@code m} for {@code reason} sweeps the namespace: a repair does; so does a new version when
     * an older version of the mapping wrote the same namespace (its documents the new one does not want would stay).
     */
    public static boolean sweeps(Project project, Migration m, FillLedger.Reason reason) {
        return reason == FillLedger.Reason.REPAIR
                || (reason == FillLedger.Reason.NEW_VERSION
                        && project.migrations().stream()
                                .anyMatch(o -> o.mappingName().equals(m.mappingName())
                                        && o.version() < m.version()
                                        && o.namespace().equals(m.namespace())));
    }

    /**
     * The newest older version of {@code m}'s mapping whose namespace is filled and differs from {@code m}'s: it goes
     * on being mirrored while {@code m}'s namespace fills, so no namespace the application reads goes stale.
     */
    private static Optional<Migration> olderFilled(Connection c, Project project, FillLedger ledger, Migration m)
            throws SQLException {
        List<Migration> older = project.migrations().stream()
                .filter(o -> o.mappingName().equals(m.mappingName()) && o.version() < m.version())
                .sorted(Comparator.comparingInt(Migration::version).reversed())
                .toList();
        for (Migration o : older) {
            Optional<FillLedger.Fill> fill = ledger.latest(c, o.mappingName(), o.version());
            if (fill.isPresent() && fill.get().filled()) {
                return o.namespace().equals(m.namespace()) ? Optional.empty() : Optional.of(o);
            }
        }
        return Optional.empty();
    }
}
