package io.puffgres.preflight;

import io.puffgres.config.ProjectConfig;
import io.puffgres.job.JobRunner;
import io.puffgres.migration.Project;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The checks of {@code puffgres doctor}: what {@code puffgres run} needs from Postgres and turbopuffer, each with
 * the exact fix when it is missing. Reads only (a wal2json check creates and drops a temporary slot).
 */
public final class Preflight {

    private Preflight() {}

    /**
     * Postgres checks in the order doctor prints them: wal_level, role, each mapped relation (read access, replica
     * identity, lookup SQL), the publication, the slot and the WAL it retains, leftover snapshot reader slots, and
     * wal2json when it is the plugin.
     *
     * @param slot the replication slot {@code run} would read
     * @param plugin {@code pgoutput} or {@code wal2json}
     * @throws SQLException when a catalog query fails (the connection broke); findings are never exceptions
     */
    public static List<Check> postgres(Connection c, Project project, String slot, String plugin) throws SQLException {
        List<Check> checks = new ArrayList<>();
        String role = ServerChecks.one(c, "SELECT current_user");
        Check walLevel = ServerChecks.walLevel(c);
        Check replication = ServerChecks.role(c, role);
        checks.add(walLevel);
        checks.add(replication);
        if (project.effectiveMappings().isEmpty()) {
            checks.add(Check.fail(
                    "mappings",
                    "the project has no migrations",
                    "add one under puffgres/migrations (see docs/migrations.md)"));
        }
        RelationChecks.Result relations = RelationChecks.run(c, role, project.effectiveMappings());
        checks.addAll(relations.checks());
        checks.add(PublicationCheck.run(c, project.config().postgres().publication(), relations.cdcTables(), role));
        checks.addAll(SlotChecks.run(c, slot, plugin, JobRunner.checkpointDir(project)));
        checks.addAll(SlotChecks.leftoverReaders(c, slot));
        if (plugin.equals("wal2json")) {
            boolean canCreateSlots = walLevel.status() == Check.Status.OK && replication.status() == Check.Status.OK;
            checks.add(ServerChecks.wal2json(c, canCreateSlots));
        }
        return checks;
    }

    /**
     * The finding that {@code slot} is invalidated ({@code wal_status = 'lost'}: Postgres removed WAL it still
     * needed), on which {@code puffgres run} refuses to start; empty when the slot is not, or does not exist.
     *
     * @param checkpointDir the project's checkpoint directory, named in the fix (a fresh start needs it gone)
     */
    public static Optional<Check> invalidatedSlot(Connection c, String slot, Path checkpointDir) throws SQLException {
        return SlotChecks.invalidated(c, slot, checkpointDir);
    }

    /**
     * Flink CDC snapshot reader slots ({@code <slot>_<n>}) that nothing reads, left by a run that ended
     * mid-snapshot: one finding each, with the WAL it keeps and the statement that drops it.
     */
    public static List<Check> leftoverReaderSlots(Connection c, String slot) throws SQLException {
        return SlotChecks.leftoverReaders(c, slot);
    }

    /** turbopuffer answers at the configured URL and accepts the API key. */
    public static Check turbopuffer(ProjectConfig.Turbopuffer turbopuffer) {
        return TurbopufferCheck.run(turbopuffer);
    }
}
