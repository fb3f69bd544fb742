package io.puffgres.launcher;

import io.puffgres.cli.CliException;
import io.puffgres.cli.ExitCode;
import io.puffgres.cli.PostgresAccess;
import io.puffgres.cli.ProjectOption;
import io.puffgres.cli.ScratchDirectory;
import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.config.ProjectConfig;
import io.puffgres.fill.FillLedger;
import io.puffgres.migration.Migration;
import io.puffgres.migration.Project;
import io.puffgres.source.ReplicationSetup;
import io.puffgres.source.ReplicationSetup.SetupException;
import io.puffgres.transform.TransformLoadException;
import io.puffgres.verify.Report;
import io.puffgres.verify.Unfilled;
import io.puffgres.verify.Verification;
import java.io.IOException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code puffgres verify}: compares each mapping's member rows in Postgres, transformed as the job transforms them,
 * with the documents in its namespace, and names the missing, extra and stale ids.
 */
@Command(
        name = "verify",
        description = {
            "Compare Postgres with turbopuffer: missing, extra and stale documents.",
            "Each member row, run through the mapping's current transform, is compared with the document in the",
            "namespace. Reports counts and the missing, extra and stale ids. Writes nothing.",
            "A namespace whose fill is not done (being filled, failed, or never filled) is not compared: verify says",
            "so, with the fill's progress or error and what fills it."
        },
        mixinStandardHelpOptions = true,
        footer = {
            "%nExamples:",
            "  puffgres verify",
            "  puffgres verify pages_public --limit 100",
            "%nExit codes: 0 equal, 1 runtime failure, 2 usage error, 3 invalid project, 4 differences found (or a",
            "namespace not filled: its fill failed or never ran), 5 no difference found but a namespace is still being",
            "filled (not compared: verify again once it is filled)."
        })
final class VerifyCommand implements Callable<Integer> {

    /** Enough ids to see a pattern without flooding the terminal. */
    static final int DEFAULT_LIMIT = 10;

    @Spec
    CommandSpec spec;

    @Mixin
    ProjectOption project;

    @Parameters(
            arity = "0..1",
            paramLabel = "MAPPING",
            description = "The mapping to verify (default: every effective mapping).")
    String mappingName;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "" + DEFAULT_LIMIT,
            description = "Ids to print per category (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() throws IOException {
        if (limit < 0) {
            throw new CliException(
                    ExitCode.USAGE, "--limit must be 0 or more, got " + limit, "run puffgres verify --help");
        }
        Project loaded = project.load();
        List<Migration> mappings = selected(loaded);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProjectConfig config = loaded.config();
        PostgresAccess postgres = project.postgres(loaded);
        List<String> differ = new ArrayList<>();
        int unfilled = 0;
        int filling = 0;
        FillLedger ledger = new FillLedger(config.state().schema());
        try (ScratchDirectory classes = ScratchDirectory.create("puffgres-verify-");
                Connection c = postgres.connect();
                TurbopufferClient client = new TurbopufferClient(
                        config.turbopuffer().baseUrl(),
                        config.turbopuffer().apiKey(),
                        ErrorPolicy.defaults(),
                        TurbopufferClient.DEFAULT_TIMEOUT)) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            // one snapshot per mapping: the rows, view and lookup queries all see the same data
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            // a project that never ran with fills keeps no ledger: its namespaces are compared as they are
            boolean tracked = ledger.exists(c);
            c.commit();
            for (Migration m : mappings) {
                Optional<Unfilled> notFilled =
                        tracked ? Unfilled.of(m, ledger.latest(c, m.mappingName(), m.version())) : Optional.empty();
                if (notFilled.isPresent()) {
                    c.commit();
                    notFilled.get().lines().forEach(out::println);
                    out.flush();
                    filling += notFilled.get().filling() ? 1 : 0;
                    unfilled += notFilled.get().filling() ? 0 : 1;
                    continue;
                }
                Report report = Verification.run(
                        c, client, loaded, m, ReplicationSetup.cdcRelation(c, m), limit, classes.path(), err);
                c.commit();
                report.lines().forEach(out::println);
                out.flush();
                if (!report.equal()) {
                    differ.add(m.mappingName());
                }
            }
        } catch (SQLException e) {
            throw new CliException(
                    ExitCode.RUNTIME, "Postgres: " + e.getMessage(), postgres.hint() + ", or run puffgres doctor");
        } catch (SetupException e) {
            throw new CliException(ExitCode.INVALID_CONFIG, e.getMessage(), "run puffgres doctor");
        } catch (TransformLoadException e) {
            throw new CliException(
                    ExitCode.INVALID_CONFIG,
                    "a transform does not load: " + e.problems().get(0),
                    "run puffgres validate");
        } catch (TurbopufferException e) {
            throw new CliException(ExitCode.RUNTIME, e.getMessage(), "run puffgres doctor");
        }
        out.println(summary(mappings.size(), differ.size(), unfilled, filling));
        if (!differ.isEmpty()) {
            out.println("hint: puffgres backfill --repair " + String.join(" ", differ)
                    + " rewrites every member row and deletes the documents without one");
        }
        if (!differ.isEmpty() || unfilled > 0) {
            return ExitCode.PREFLIGHT;
        }
        return filling > 0 ? ExitCode.FILLING : ExitCode.OK;
    }

    /**
     * {@code verify: 3 mapping(s) match}, {@code verify: 1 of 3 mapping(s) differ}, then how many are not filled
     * (failed, or never filled) and being filled, when any.
     */
    static String summary(int mappings, int differing, int unfilled, int filling) {
        int compared = mappings - unfilled - filling;
        StringBuilder line = new StringBuilder("verify: ");
        if (differing > 0) {
            line.append(differing).append(" of ").append(mappings).append(" mapping(s) differ");
        } else if (compared == mappings) {
            line.append(mappings).append(" mapping(s) match");
        } else {
            line.append(compared).append(" of ").append(mappings).append(" mapping(s) match");
        }
        if (unfilled > 0) {
            line.append(", ").append(unfilled).append(" not filled");
        }
        if (filling > 0) {
            line.append(", ").append(filling).append(" being filled (verify again once filled)");
        }
        return line.toString();
    }

    private List<Migration> selected(Project loaded) {
        List<Migration> all = loaded.effectiveMappings();
        if (mappingName == null) {
            if (all.isEmpty()) {
                throw new CliException(
                        ExitCode.INVALID_CONFIG,
                        "the project has no migrations",
                        "add one under puffgres/migrations (see docs/migrations.md)");
            }
            return all;
        }
        List<Migration> named =
                all.stream().filter(m -> m.mappingName().equals(mappingName)).toList();
        if (named.isEmpty()) {
            throw new CliException(
                    ExitCode.USAGE,
                    "no mapping named " + mappingName,
                    "the mappings are: "
                            + all.stream().map(Migration::mappingName).collect(Collectors.joining(", ")));
        }
        return named;
    }
}
