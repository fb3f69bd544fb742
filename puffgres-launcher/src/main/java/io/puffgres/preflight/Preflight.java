package io.puffgres.preflight;

import io.puffgres.config.Diagnostic;
import io.puffgres.config.ProjectConfig;
import io.puffgres.event.RelationId;
import io.puffgres.job.JobRunner;
import io.puffgres.migration.Migration;
import io.puffgres.migration.Project;
import io.puffgres.source.ChunkKey;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * The checks of {@code puffgres doctor}, and those of them {@code puffgres run} makes before it changes anything: what
 * the job needs from Postgres and turbopuffer, each with the exact fix when it is missing. Reads only (a wal2json
 * check peeks at the job's slot without consuming it, or creates and drops a temporary slot; a lookup check prepares
 * and deallocates a statement).
 */
public final class Preflight {

    private Preflight() {}

    /**
     * The mappings against the Postgres catalog (relations, columns, predicate types, lookup SQL), each problem at its
     * migration file's line and column; every problem of every mapping.
     */
    public static List<Diagnostic> catalog(Connection c, Project project, List<Migration> mappings)
            throws SQLException {
        return CatalogChecks.run(c, project.dir(), mappings);
    }

    /**
     * Postgres checks in the order doctor prints them: wal_level, role, the state schema, each mapping against the
     * catalog, each mapped relation (read access, replica identity, lookup SQL), the snapshot chunk key, partitioned
     * tables when the plugin is wal2json, the publication, the slot and the WAL it retains, leftover snapshot reader
     * slots, in poll mode the server version, the slot functions and the poll source's reading slot, and wal2json when
     * it is the plugin.
     *
     * @param source the slot {@code run} would read, and how
     * @param ownRun the pid of this project's live {@code puffgres run} on the slot, if any (its use of the slot is no
     *     finding)
     * @throws SQLException when a catalog query fails (the connection broke); findings are never exceptions
     */
    public static List<Check> postgres(Connection c, Project project, ChangeSource source, OptionalLong ownRun)
            throws SQLException {
        List<Migration> mappings = project.effectiveMappings();
        List<Check> checks = common(c, project, mappings, catalog(c, project, mappings), source);
        if (mappings.isEmpty()) {
            checks.add(
                    3,
                    Check.fail(
                            "mappings",
                            "the project has no migrations",
                            "add one under puffgres/migrations (see docs/migrations.md)"));
        }
        boolean canUseSlots = canCreateSlots(checks);
        checks.addAll(SlotChecks.run(c, source, JobRunner.checkpointDir(project), ownRun));
        checks.addAll(SlotChecks.leftoverReaders(c, source.slot()));
        if (source.poll()) {
            checks.addAll(PollChecks.run(c, source, checks.get(1).status() == Check.Status.OK, ownRun));
        }
        if (source.plugin().equals("wal2json")) {
            checks.add(Wal2jsonChecks.plugin(c, source, canUseSlots, ownRun));
        }
        return checks;
    }

    /**
     * What {@code puffgres run} checks before it touches the publication or the slot: doctor's checks of the server,
     * the state schema, the mappings and their tables, and the publication, and the slot as run needs it (a missing
     * one is fine with {@code --create-slot}), in poll mode the server version, the slot functions and room for the
     * reading slot, and wal2json when run creates a slot with it or polls one. Left out: the WAL the slot holds
     * (running releases it), leftover reader slots (run notes them) and turbopuffer (run retries it through an
     * outage).
     *
     * @param project the project restricted to its applied migrations
     * @param catalog the problems {@link #catalog} found in its mappings, reported here as findings too
     */
    public static List<Check> beforeRun(
            Connection c, Project project, List<Diagnostic> catalog, ChangeSource source, boolean createSlot)
            throws SQLException {
        List<Check> checks = common(c, project, project.effectiveMappings(), catalog, source);
        boolean canUseSlots = canCreateSlots(checks);
        Check slotCheck = SlotChecks.beforeRun(c, source, JobRunner.checkpointDir(project), createSlot);
        checks.add(slotCheck);
        if (source.poll()) {
            checks.addAll(PollChecks.run(c, source, checks.get(1).status() == Check.Status.OK, OptionalLong.empty()));
        }
        if (source.plugin().equals("wal2json")
                && slotCheck.status() == Check.Status.OK
                && (createSlot || source.poll())) {
            checks.add(Wal2jsonChecks.plugin(c, source, canUseSlots, OptionalLong.empty()));
        }
        return checks;
    }

    private static List<Check> common(
            Connection c, Project project, List<Migration> mappings, List<Diagnostic> catalog, ChangeSource source)
            throws SQLException {
        List<Check> checks = new ArrayList<>();
        String role = ServerChecks.one(c, "SELECT current_user");
        checks.add(ServerChecks.walLevel(c));
        checks.add(ServerChecks.role(c, role));
        checks.add(ServerChecks.stateSchema(c, role, project.config().state().schema(), source.poll()));
        List<Migration> matching = new ArrayList<>();
        for (Migration m : mappings) {
            List<Diagnostic> problems = catalog.stream()
                    .filter(d -> d.source().equals(m.file().toString()))
                    .toList();
            if (problems.isEmpty()) {
                matching.add(m);
                checks.add(Check.ok("mapping " + m.mappingName(), "matches " + m.relation() + " (" + matched(m) + ")"));
                continue;
            }
            for (Diagnostic d : problems) {
                checks.add(Check.fail(
                        "mapping " + m.mappingName(),
                        d.render(),
                        "correct " + d.path() + " in " + d.source() + " (once applied: in a new version of the"
                                + " mapping), or the database"));
            }
            checks.add(Check.skip(
                    "relation checks " + m.mappingName(),
                    "read access, replica identity and lookup not checked: the mapping does not match the database"
                            + " (above)"));
        }
        RelationChecks.Result relations = RelationChecks.run(c, role, matching);
        checks.addAll(relations.checks());
        chunkKey(c, relations.idColumns()).ifPresent(checks::add);
        if (source.plugin().equals("wal2json")) {
            checks.addAll(Wal2jsonChecks.partitionedTables(c, relations.cdcTables(), source));
        }
        checks.add(PublicationCheck.run(c, project.config().postgres().publication(), relations.cdcTables(), role));
        return checks;
    }

    /** What the catalog check covered, for its ok line. */
    private static String matched(Migration m) {
        String what = m.columns().size() + " columns, id " + m.id().column();
        return switch (m.membership().mode()) {
            case DSL -> what + ", the predicate's types";
            case LOOKUP -> what + ", membership.sql plans";
            default -> what;
        };
    }

    /** The snapshot chunk key check, only when a mapped table has no primary key. */
    private static Optional<Check> chunkKey(Connection c, Map<RelationId, List<String>> idColumns) throws SQLException {
        ChunkKey.Choice choice = ChunkKey.choose(c, idColumns);
        if (!choice.problems().isEmpty()) {
            return Optional.of(Check.fail(
                    "snapshot key",
                    choice.problems().stream().map(ChunkKey.Problem::detail).collect(Collectors.joining("; ")),
                    choice.problems().stream().map(ChunkKey.Problem::fix).collect(Collectors.joining(" "))));
        }
        return choice.column()
                .map(column -> Check.ok(
                        "snapshot key",
                        "a mapped table has no primary key: every table's snapshot is split by its unique NOT NULL"
                                + " column " + column));
    }

    private static boolean canCreateSlots(List<Check> checks) {
        return checks.get(0).status() == Check.Status.OK && checks.get(1).status() == Check.Status.OK;
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
