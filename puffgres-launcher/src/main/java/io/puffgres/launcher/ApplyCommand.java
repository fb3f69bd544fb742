package io.puffgres.launcher;

import io.puffgres.cli.AppliedMigrations;
import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import io.puffgres.cli.MappingSummary;
import io.puffgres.cli.PostgresAccess;
import io.puffgres.cli.ProjectOption;
import io.puffgres.cli.TransformCheck;
import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.config.Diagnostic;
import io.puffgres.document.AttributeSchema;
import io.puffgres.migration.Migration;
import io.puffgres.migration.Project;
import io.puffgres.pipeline.DocumentSchema;
import io.puffgres.preflight.Preflight;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code puffgres apply}: validates the project, checks the applied migrations are unchanged and the pending ones
 * compatible, optionally declares their schema in turbopuffer, and records them in {@code <state schema>.migrations}.
 */
@Command(
        name = "apply",
        description = {
            "Record the pending migrations as applied, so puffgres run mirrors them.",
            "Refuses an applied migration that was edited or removed, a pending version below an applied one, an",
            "attribute or id type change that keeps the namespace, and a pending migration that does not match the",
            "database (its relation, columns, id, predicate types or lookup query; each at its file:line:col)."
        },
        mixinStandardHelpOptions = true,
        footer = {
            "%nExamples:",
            "  puffgres apply --dry-run        show what would be applied",
            "  puffgres apply",
            "  puffgres apply --schema         also declare the [tp_schema] types in existing namespaces",
            ExitCode.HELP_FOOTER
        })
final class ApplyCommand implements Callable<Integer> {

    /** How long the schema-only update may take. */
    static final Duration TURBOPUFFER_TIMEOUT = Duration.ofSeconds(30);

    @Spec
    CommandSpec spec;

    @Mixin
    ProjectOption project;

    @Option(names = "--dry-run", description = "Check and print the plan; write nothing.")
    boolean dryRun;

    @Option(names = "--schema", description = "Send each pending migration's schema to its existing namespace.")
    boolean schema;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Project loaded = project.load();
        List<Diagnostic> problems = TransformCheck.problems(loaded);
        if (!problems.isEmpty()) {
            throw new CliException(
                    ExitCode.INVALID_CONFIG,
                    problems.size() + " problem(s) in the transforms, first: "
                            + problems.get(0).render(),
                    "run puffgres validate to see them all");
        }
        AppliedMigrations ledger = new AppliedMigrations(loaded.config().state().schema());
        PostgresAccess postgres = project.postgres(loaded);
        try (Connection c = postgres.connect()) {
            List<AppliedMigrations.Applied> applied = ledger.read(c);
            refuse(AppliedMigrations.conflicts(loaded, applied), "revert the file, and put changes in a new migration");
            List<Migration> unchecked = AppliedMigrations.withoutTransformChecksum(loaded, applied);
            for (Migration m : unchecked) {
                out.println((dryRun ? "would record" : "recording") + " the checksum of "
                        + AppliedMigrations.transformFile(m) + " for " + m.file()
                        + ", applied before transform files were checksummed (an edit before now went unnoticed)");
            }
            if (!dryRun && !unchecked.isEmpty()) {
                ledger.recordTransformChecksums(c, unchecked);
            }
            int latest = applied.stream()
                    .mapToInt(AppliedMigrations.Applied::version)
                    .max()
                    .orElse(0);
            List<Migration> pending = loaded.migrations().stream()
                    .filter(m -> applied.stream().noneMatch(a -> a.version() == m.version()))
                    .toList();
            refuse(
                    pending.stream()
                            .filter(m -> m.version() < latest)
                            .map(m ->
                                    m.file() + " has version " + m.version() + ", below the applied version " + latest)
                            .toList(),
                    "renumber it above " + latest);
            refuse(incompatibilities(loaded.migrations(), pending), "give the new version a new namespace");
            refuseCatalogProblems(c, loaded, pending);
            if (pending.isEmpty()) {
                out.println("nothing to apply: " + applied.size() + " migration(s) applied"
                        + (applied.isEmpty() ? "; add one with puffgres generate" : ", the latest is " + latest));
                return ExitCode.OK;
            }
            for (Migration m : pending) {
                out.println((dryRun ? "would apply " : "applying ") + m.file() + ": " + MappingSummary.of(m));
            }
            if (dryRun) {
                out.println("dry run: nothing written");
                return ExitCode.OK;
            }
            if (schema) {
                declareSchemas(loaded, pending, out);
            }
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                ledger.ensure(c);
                ledger.record(c, pending);
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
            out.println("applied " + pending.size() + " migration(s), recorded in " + ledger.table()
                    + "; puffgres run mirrors them (restart a running one)");
            return ExitCode.OK;
        } catch (SQLException e) {
            throw postgres.failure(e);
        }
    }

    /**
     * Refuses pending migrations that do not match the database (a missing column, a predicate type, a lookup query
     * that does not plan): each problem printed at its file, line and column, as validate prints them. Only a
     * mapping's latest pending version is checked: an older one is never run.
     */
    private void refuseCatalogProblems(Connection c, Project loaded, List<Migration> pending) throws SQLException {
        List<Migration> checked =
                loaded.effectiveMappings().stream().filter(pending::contains).toList();
        List<Diagnostic> problems = Preflight.catalog(c, loaded, checked);
        if (!problems.isEmpty()) {
            PrintWriter err = spec.commandLine().getErr();
            problems.forEach(d -> err.println(d.render()));
            throw new CliException(
                    ExitCode.INVALID_CONFIG,
                    problems.size() + " problem(s) (above): the pending migrations do not match the database",
                    "correct the files or the database, then puffgres apply again; nothing was applied");
        }
    }

    private static void refuse(List<String> problems, String hint) {
        if (!problems.isEmpty()) {
            throw new CliException(
                    ExitCode.INVALID_CONFIG, String.join("; ", problems), hint + "; nothing was applied");
        }
    }

    /**
     * Type changes turbopuffer would refuse: a pending version that keeps its predecessor's namespace but changes the
     * id type or the declared type of an attribute.
     */
    static List<String> incompatibilities(List<Migration> all, List<Migration> pending) {
        List<String> problems = new ArrayList<>();
        Map<String, Migration> previous = new LinkedHashMap<>();
        for (Migration m : all) {
            Migration before = previous.put(m.mappingName(), m);
            if (before == null || !pending.contains(m) || !before.namespace().equals(m.namespace())) {
                continue;
            }
            if (before.id().type() != m.id().type()) {
                problems.add(m.file() + " changes the id type of namespace " + m.namespace() + " from "
                        + before.id().type().name().toLowerCase() + " to "
                        + m.id().type().name().toLowerCase());
            }
            m.tpSchema().forEach((attribute, hint) -> {
                AttributeSchema old = before.tpSchema().get(attribute);
                if (old != null
                        && old.type().isPresent()
                        && hint.type().isPresent()
                        && !Objects.equals(old.type(), hint.type())) {
                    problems.add(m.file() + " changes the type of " + attribute + " in namespace " + m.namespace()
                            + " from " + old.type().get() + " to " + hint.type().get());
                }
            });
        }
        return problems;
    }

    /** The schema-only update for every pending migration whose namespace exists (a new one gets it on first write). */
    private void declareSchemas(Project loaded, List<Migration> pending, PrintWriter out) {
        try (TurbopufferClient client = new TurbopufferClient(
                loaded.config().turbopuffer().baseUrl(),
                loaded.config().turbopuffer().apiKey(),
                ErrorPolicy.defaults(),
                TURBOPUFFER_TIMEOUT)) {
            for (Migration m : pending) {
                if (!exists(client, m.namespace())) {
                    out.println("schema: namespace " + m.namespace()
                            + " does not exist yet; the first write declares its schema");
                    continue;
                }
                try {
                    client.updateSchema(m.namespace(), DocumentSchema.declared(m));
                    out.println("schema: declared in namespace " + m.namespace());
                } catch (TurbopufferException e) {
                    throw new CliException(
                            e.status() == 401 || e.status() == 403 ? ExitCode.RUNTIME : ExitCode.INVALID_CONFIG,
                            "turbopuffer refused the schema of " + m.file() + ": " + e.getMessage(),
                            "a type change needs a new namespace; nothing was applied");
                }
            }
        }
    }

    private static boolean exists(TurbopufferClient client, String namespace) {
        try {
            client.schema(namespace);
            return true;
        } catch (TurbopufferException e) {
            if (e.status() == 404) {
                return false;
            }
            throw new CliException(
                    ExitCode.RUNTIME,
                    "turbopuffer: " + e.getMessage(),
                    "check [turbopuffer] base_url and the key in the variable named by api_key_env");
        }
    }
}
