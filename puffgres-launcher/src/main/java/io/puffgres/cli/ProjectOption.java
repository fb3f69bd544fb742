package io.puffgres.cli;

import io.puffgres.config.Diagnostic;
import io.puffgres.migration.InvalidProjectException;
import io.puffgres.migration.Project;
import io.puffgres.migration.ProjectLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code --project DIR} option of every command that reads a project (a picocli mixin: {@code @Mixin
 * ProjectOption project}), and the loading of that project with the command's environment. An invalid project is a
 * one-line error (exit 3) pointing at {@code validate}; each {@code PUFFGRES_…} variable puffgres does not read is a
 * warning line on stderr, valid project or not.
 */
public final class ProjectOption {

    /** What an invalid project's error suggests unless a command says more. */
    public static final String VALIDATE_HINT = "run puffgres validate to see them all";

    @Option(
            names = "--project",
            paramLabel = "DIR",
            defaultValue = ".",
            description = "Project directory (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** The directory as given. */
    public Path dir() {
        return dir;
    }

    /** Loads the project; an invalid one is exit 3 with {@link #VALIDATE_HINT}. */
    public Project load() {
        return load(VALIDATE_HINT);
    }

    /** Loads the project; an invalid one is exit 3 naming the first problem, with {@code hint}. */
    public Project load(String hint) {
        try {
            return loadWithWarnings();
        } catch (InvalidProjectException e) {
            throw new CliException(
                    ExitCode.INVALID_CONFIG,
                    e.diagnostics().size() + " problem(s) in the project, first: "
                            + e.diagnostics().get(0).render(),
                    hint);
        }
    }

    /** Loads the project with the command's environment, printing the warnings, valid project or not. */
    public Project loadWithWarnings() throws InvalidProjectException {
        List<Diagnostic> warnings = new ArrayList<>();
        try {
            return ProjectLoader.load(dir, invocation().env(), warnings);
        } finally {
            PrintWriter err = command.commandLine().getErr();
            warnings.forEach(w -> err.println("warning: " + w.render()));
            err.flush();
        }
    }

    /** The project's Postgres, as this command's environment configures it. */
    public PostgresAccess postgres(Project loaded) {
        return new PostgresAccess(loaded.config().postgres(), invocation().env());
    }

    /** This run of the command line. */
    public Invocation invocation() {
        return Invocation.of(command);
    }
}
