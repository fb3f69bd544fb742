package io.puffgres.launcher;

import io.puffgres.cli.ExitCode;
import io.puffgres.cli.MappingSummary;
import io.puffgres.cli.ProjectOption;
import io.puffgres.cli.TransformCheck;
import io.puffgres.config.Diagnostic;
import io.puffgres.migration.InvalidProjectException;
import io.puffgres.migration.Migration;
import io.puffgres.migration.Project;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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

    @Spec
    CommandSpec spec;

    @Mixin
    ProjectOption project;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Project loaded;
        try {
            loaded = project.loadWithWarnings();
        } catch (InvalidProjectException e) {
            // the transforms of the migrations that parsed are checked too: every problem in one pass
            List<Diagnostic> all = new ArrayList<>(e.diagnostics());
            all.addAll(TransformCheck.problems(project.dir().toAbsolutePath().normalize(), e.parsed()));
            all.sort(Diagnostic.ORDER);
            return report(all, err);
        }
        List<Diagnostic> problems = TransformCheck.problems(loaded);
        if (!problems.isEmpty()) {
            return report(problems, err);
        }
        List<Migration> mappings = loaded.effectiveMappings();
        for (Migration m : mappings) {
            out.println(MappingSummary.of(m));
        }
        out.printf(
                "valid: %d mapping(s) from %d migration(s) in %s%n",
                mappings.size(), loaded.migrations().size(), loaded.dir());
        return ExitCode.OK;
    }

    private static int report(List<Diagnostic> diagnostics, PrintWriter err) {
        diagnostics.forEach(d -> err.println(d.render()));
        err.printf("invalid: %d problem(s)%n", diagnostics.size());
        err.println("hint: fix the files named above and run puffgres validate again");
        return ExitCode.INVALID_CONFIG;
    }
}
