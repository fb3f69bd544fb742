package io.puffgres.cli;

import io.puffgres.config.Diagnostic;
import io.puffgres.migration.InvalidProjectException;
import io.puffgres.migration.Migration;
import io.puffgres.migration.MigrationTransforms;
import io.puffgres.migration.Project;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code puffgres validate}: checks puffgres.toml, every migration and every transform, writing nothing. */
@Command(
        name = "validate",
        description = "Check puffgres.toml, the migrations and their transforms; print every problem.",
        mixinStandardHelpOptions = true,
        footer = {
            "%nExamples:",
            "  puffgres validate",
            "  puffgres validate --project examples/pages",
            "  PUFFGRES_POSTGRES_URL=jdbc:postgresql://db/app puffgres validate",
            ExitCode.HELP_FOOTER
        })
final class ValidateCommand implements Callable<Integer> {

    @ParentCommand
    PuffgresCommand parent;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--project",
            paramLabel = "DIR",
            defaultValue = ".",
            description = "Project directory (default: ${DEFAULT-VALUE}).")
    Path project;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Project loaded;
        try {
            loaded = Projects.loadWithWarnings(project, parent);
        } catch (InvalidProjectException e) {
            // the transforms of the migrations that parsed are checked too: every problem in one pass
            List<Diagnostic> all = new ArrayList<>(e.diagnostics());
            all.addAll(transformProblems(project.toAbsolutePath().normalize(), e.parsed()));
            all.sort(Diagnostic.ORDER);
            return report(all, err);
        }
        List<Diagnostic> problems = transformProblems(loaded.dir(), loaded.migrations());
        if (!problems.isEmpty()) {
            return report(problems, err);
        }
        List<Migration> mappings = loaded.effectiveMappings();
        for (Migration m : mappings) {
            out.println(summary(m));
        }
        out.printf(
                "valid: %d mapping(s) from %d migration(s) in %s%n",
                mappings.size(), loaded.migrations().size(), loaded.dir());
        return ExitCode.OK;
    }

    /** Builds every effective mapping's transform (JS syntax, Java compile errors) and returns what failed. */
    static List<Diagnostic> transformProblems(Project loaded) throws IOException {
        return transformProblems(loaded.dir(), loaded.migrations());
    }

    private static List<Diagnostic> transformProblems(Path dir, List<Migration> migrations) throws IOException {
        Path classes = Files.createTempDirectory("puffgres-validate-");
        try {
            return new MigrationTransforms(dir, migrations, classes).check();
        } finally {
            deleteTree(classes);
        }
    }

    private static int report(List<Diagnostic> diagnostics, PrintWriter err) {
        diagnostics.forEach(d -> err.println(d.render()));
        err.printf("invalid: %d problem(s)%n", diagnostics.size());
        err.println("hint: fix the files named above and run puffgres validate again");
        return ExitCode.INVALID_CONFIG;
    }

    static String summary(Migration m) {
        String membership = switch (m.membership().mode()) {
            case ALL -> "all rows";
            case DSL -> "dsl: " + m.membership().predicate().orElseThrow().text();
            case VIEW -> "view";
            case LOOKUP -> "lookup";
        };
        String source = m.source().isView()
                ? m.relation() + " (view"
                        + m.source().baseTable().map(t -> " over " + t).orElse("") + ")"
                : m.relation().toString();
        return String.format(
                "%s v%d: %s -> namespace %s (%s, %d columns, %s transform)",
                m.mappingName(),
                m.version(),
                source,
                m.namespace(),
                membership,
                m.columns().size(),
                m.transform().kind().name().toLowerCase());
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
