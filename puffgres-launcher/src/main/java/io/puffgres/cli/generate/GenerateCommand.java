package io.puffgres.cli.generate;

import io.puffgres.cli.ExitCode;
import io.puffgres.cli.PostgresAccess;
import io.puffgres.cli.ProjectOption;
import io.puffgres.migration.Project;
import java.io.IOException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code puffgres generate}: writes the next migration (and a transform stub) from the answers to a wizard that
 * reads the database, or from flags with {@code --yes}. Never overwrites a file.
 */
@Command(
        name = "generate",
        description = {
            "Write the next migration for a table or view, asking what it needs.",
            "Asks for the source, id, membership, columns, transform and full-text search, checking each answer",
            "against the database. Every question has a flag; with --yes the questions not given as flags take",
            "their defaults (no terminal needed)."
        },
        mixinStandardHelpOptions = true,
        footer = {
            "%nExamples:",
            "  puffgres generate                         the wizard",
            "  puffgres generate --table pages           the wizard, from public.pages",
            "  puffgres generate --yes --table pages \\",
            "      --predicate \"status = 'published'\" --full-text title,body",
            "  puffgres generate --yes --view published_pages --transform js",
            "  puffgres generate --yes --table orders \\",
            "      --lookup-sql 'SELECT 1 FROM paid WHERE order_id = $1'",
            ExitCode.HELP_FOOTER
        })
public final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ProjectOption project;

    @Option(
            names = {"-y", "--yes"},
            description = "Ask nothing: take the flags and the defaults of the rest (for scripts and CI).")
    boolean yes;

    @Mixin
    GenerateFlags flags;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!yes && System.console() == null) {
            throw TerminalScreen.noTerminal();
        }
        Project loaded = project.load(ProjectOption.VALIDATE_HINT + "; generate adds to a valid project");
        MigrationFiles files = new MigrationFiles(loaded.dir());
        PostgresAccess postgres = project.postgres(loaded);
        try (Connection c = postgres.connect()) {
            PostgresCatalog catalog =
                    new PostgresCatalog(c, loaded.config().state().schema());
            if (yes) {
                return write(files, new GenerateWizard(flags, catalog, loaded, null, out).run(), out);
            }
            // everything is printed before the terminal closes: closing a JLine system terminal closes stdout
            try (TerminalPrompts prompts = TerminalPrompts.open()) {
                MigrationDraft draft = new GenerateWizard(flags, catalog, loaded, prompts, out).run();
                if (!confirm(prompts, files, draft)) {
                    out.println("nothing written");
                    return ExitCode.OK;
                }
                return write(files, draft, out);
            }
        } catch (SQLException e) {
            throw postgres.failure(e);
        }
    }

    private static int write(MigrationFiles files, MigrationDraft draft, PrintWriter out) throws IOException {
        for (String file : files.write(draft)) {
            out.println("wrote " + file);
        }
        out.println("next: puffgres validate, then puffgres apply");
        out.flush();
        return ExitCode.OK;
    }

    /** Shows the files to be written and asks before writing them. */
    private static boolean confirm(TerminalPrompts prompts, MigrationFiles files, MigrationDraft draft) {
        prompts.note("");
        MigrationFiles.render(draft).lines().forEach(line -> prompts.note("    " + line));
        prompts.note("");
        String targets = files.show(files.migrationPath(draft))
                + files.stubPath(draft).map(p -> " and " + files.show(p)).orElse("");
        List<Choice<Boolean>> choices =
                List.of(new Choice<>(true, "yes", "write " + targets), new Choice<>(false, "no", "write nothing"));
        return prompts.select("Write it", choices, 0);
    }
}
