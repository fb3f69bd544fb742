package io.puffgres.cli;

import io.puffgres.config.Diagnostic;
import io.puffgres.migration.Migration;
import io.puffgres.migration.MigrationTransforms;
import io.puffgres.migration.Project;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds the transforms of a project's migrations (JS syntax, Java compile errors) the way the job would, and
 * returns what fails as diagnostics at their file and line; compiled classes go to a scratch directory that is
 * deleted afterwards. Used by {@code validate} and {@code apply}.
 */
public final class TransformCheck {

    private TransformCheck() {}

    /** The problems of every transform of a valid project. */
    public static List<Diagnostic> problems(Project loaded) throws IOException {
        return problems(loaded.dir(), loaded.migrations());
    }

    /** The problems of the transforms of {@code migrations}, e.g. those that parsed in an invalid project. */
    public static List<Diagnostic> problems(Path dir, List<Migration> migrations) throws IOException {
        try (ScratchDirectory classes = ScratchDirectory.create("puffgres-validate-")) {
            return new MigrationTransforms(dir, migrations, classes.path()).check();
        }
    }
}
