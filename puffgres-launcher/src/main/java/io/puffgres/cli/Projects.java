package io.puffgres.cli;

import io.puffgres.migration.InvalidProjectException;
import io.puffgres.migration.Project;
import io.puffgres.migration.ProjectLoader;
import java.nio.file.Path;
import java.util.Map;

/** Loads the project a command works on, turning an invalid one into the one-line error of exit code 3. */
final class Projects {

    private Projects() {}

    static Project load(Path dir, Map<String, String> env) {
        try {
            return ProjectLoader.load(dir, env);
        } catch (InvalidProjectException e) {
            throw new CliException(
                    ExitCode.INVALID_CONFIG,
                    e.diagnostics().size() + " problem(s) in the project, first: "
                            + e.diagnostics().get(0).render(),
                    "run puffgres validate to see them all");
        }
    }
}
