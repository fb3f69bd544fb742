package io.puffgres.cli;

import io.puffgres.config.Diagnostic;
import io.puffgres.migration.InvalidProjectException;
import io.puffgres.migration.Project;
import io.puffgres.migration.ProjectLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the project for a command: an invalid one is a one-line error (exit 3) pointing at {@code validate}; each
 * {@code PUFFGRES_…} variable puffgres does not read is a warning line on stderr.
 */
final class Projects {

    private Projects() {}

    static Project load(Path dir, PuffgresCommand top) {
        try {
            return loadWithWarnings(dir, top);
        } catch (InvalidProjectException e) {
            throw new CliException(
                    ExitCode.INVALID_CONFIG,
                    e.diagnostics().size() + " problem(s) in the project, first: "
                            + e.diagnostics().get(0).render(),
                    "run puffgres validate to see them all");
        }
    }

    /** Loads the project with the command's environment, printing the warnings, valid project or not. */
    static Project loadWithWarnings(Path dir, PuffgresCommand top) throws InvalidProjectException {
        List<Diagnostic> warnings = new ArrayList<>();
        try {
            return ProjectLoader.load(dir, top.env, warnings);
        } finally {
            PrintWriter err = top.spec.commandLine().getErr();
            warnings.forEach(w -> err.println("warning: " + w.render()));
            err.flush();
        }
    }
}
