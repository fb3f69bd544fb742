package io.puffgres.cli.generate;

import io.puffgres.cli.ExitCode;
import io.puffgres.migration.Project;
import io.puffgres.migration.TransformSpec;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code puffgres generate}'s transform question: identity, or a JS or Java stub under
 * {@code puffgres/transforms} named after the mapping (asked only when that file exists).
 */
final class TransformQuestions {

    private final GenerateFlags flags;
    private final Path transformsDir;
    private final Questions ask;

    TransformQuestions(GenerateFlags flags, Project project, Questions ask) {
        this.flags = flags;
        this.transformsDir = project.puffgresDir().resolve("transforms");
        this.ask = ask;
    }

    /** @param unstorable why some selected columns cannot be attributes as they are (then identity cannot be) */
    TransformSpec transform(String mapping, List<String> unstorable) throws SQLException {
        List<Choice<String>> choices = new ArrayList<>();
        if (unstorable.isEmpty()) {
            choices.add(new Choice<>("identity", "identity", "the columns as they are"));
        } else if ("identity".equals(flags.transform) || (flags.transform == null && !ask.interactive())) {
            ask.rejectFlag(
                    "--transform identity",
                    String.join("; ", unstorable),
                    "leave the column out of --columns, or use --transform js or java to rename it",
                    ExitCode.USAGE);
        }
        choices.add(new Choice<>("js", "js", "a JavaScript function (writes a stub to edit)"));
        choices.add(new Choice<>("java", "java", "a Java class (writes a stub to edit)"));
        String kind = ask.choose("--transform", flags.transform, "Transform", choices, 0, v -> v, ExitCode.USAGE);
        return switch (kind) {
            case "js" -> {
                String file = ask.textOrDefault(
                        new Questions.Text(
                                "--js-file",
                                "JS file in puffgres/transforms",
                                "a new file name ending in .js",
                                true,
                                ExitCode.USAGE),
                        flags.jsFile,
                        mapping + ".js",
                        f -> DraftChecks.jsFile(f, transformsDir));
                yield new TransformSpec(
                        TransformSpec.Kind.JS,
                        Optional.of("transforms/" + file),
                        Optional.of("transform"),
                        Optional.empty(),
                        false);
            }
            case "java" -> {
                String className = ask.textOrDefault(
                        new Questions.Text(
                                "--java-class",
                                "Java class",
                                "a new class name, optionally with a package",
                                true,
                                ExitCode.USAGE),
                        flags.javaClass,
                        DraftChecks.javaClassFor(mapping),
                        c -> DraftChecks.javaClass(c, transformsDir));
                yield new TransformSpec(
                        TransformSpec.Kind.JAVA,
                        Optional.of("transforms/" + DraftChecks.simpleName(className) + ".java"),
                        Optional.empty(),
                        Optional.of(className),
                        false);
            }
            default -> TransformSpec.identity();
        };
    }
}
