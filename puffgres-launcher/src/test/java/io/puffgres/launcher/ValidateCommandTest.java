package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.cli.ExitCode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {

    record Result(int exitCode, String out, String err) {}

    static Result run(String... args) {
        return run(Map.of(), args);
    }

    /** Runs a command line in-process with {@code env} as its environment. */
    static Result run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                env);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static final String EXAMPLE = "../examples/pages";

    @Test
    void acceptsTheExampleProjectWithOneLinePerMapping() {
        Result r = run("validate", "--project", EXAMPLE);
        assertThat(r.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(r.out())
                .startsWith("pages_public v2: public.pages -> namespace pages_v2 (dsl: status = 'published' AND"
                        + " deleted_at IS NULL, 7 columns, js transform)\n")
                .contains("valid: 1 mapping(s) from 2 migration(s)");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void printsEveryDiagnosticAndExitsThree() {
        Result r = run(
                "validate",
                "--project",
                "../puffgres-mapping/src/test/resources/projects/invalid/many_problems_in_one_file");
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(r.err().lines())
                .contains(
                        "puffgres/migrations/0003_pages.toml:1:1: version: must equal the number in the file name (3),"
                                + " got 2",
                        "puffgres/migrations/0003_pages.toml:12:1: id.type: must be one of uint, int, uuid, string (got"
                                + " \"guid\")",
                        "invalid: 7 problem(s)",
                        "hint: fix the files named above and run puffgres validate again");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void reportsTransformProblemsByFileAndLine(@TempDir Path dir) throws Exception {
        jsProject(dir, 2, "export function transform(row) {\n  return {;\n}\n");
        Files.writeString(dir.resolve("puffgres/migrations/0001_items.toml"), """
                version = 1
                mapping_name = "items"
                namespace = "items"
                columns = ["id", "name"]
                [source]
                table = "items"
                [id]
                column = "id"
                type = "uint"
                [transform]
                kind = "java"
                class = "ItemTransform"
                """);
        Files.writeString(
                dir.resolve("puffgres/transforms/ItemTransform.java"),
                "public class ItemTransform {\n  int x = ;\n}\n");
        Result r = run("validate", "--project", dir.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(r.err().lines())
                .contains("puffgres/migrations/0001_items.toml: transform: transforms/ItemTransform.java:2:11: error:"
                        + " illegal start of expression")
                .anyMatch(l -> l.startsWith("puffgres/migrations/0002_notes.toml: transform: notes.js:2:"));
    }

    /** A project with one JS mapping, {@code notes} at {@code version}, whose transform is {@code js}. */
    private static Path jsProject(Path dir, int version, String js) throws Exception {
        Files.createDirectories(dir.resolve("puffgres/migrations"));
        Files.createDirectories(dir.resolve("puffgres/transforms"));
        Files.writeString(
                dir.resolve("puffgres.toml"),
                "[postgres]\nurl = \"jdbc:postgresql://db/app\"\n[turbopuffer]\nbase_url = \"http://127.0.0.1:7474\"\n");
        Files.writeString(
                dir.resolve(String.format("puffgres/migrations/%04d_notes.toml", version)), """
                version = %d
                mapping_name = "notes"
                namespace = "notes"
                columns = ["id"]
                [source]
                table = "notes"
                [id]
                column = "id"
                type = "uint"
                [transform]
                kind = "js"
                path = "transforms/notes.js"
                """.formatted(version));
        Files.writeString(dir.resolve("puffgres/transforms/notes.js"), js);
        return dir;
    }

    @Test
    void reportsTomlProblemsAndJsSyntaxErrorsInOnePass(@TempDir Path dir) throws Exception {
        jsProject(dir, 1, "export function transform(row) {\n  return {;\n}\n");
        Files.writeString(dir.resolve("puffgres/migrations/0002_pages.toml"), """
                version = 2
                mapping_name = "pages"
                namespace = "pages"
                columns = ["id"]
                [source]
                table = "pages"
                [id]
                column = "id"
                type = "guid"
                """);
        Result r = run("validate", "--project", dir.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(r.err().lines())
                .contains("puffgres/migrations/0002_pages.toml:9:1: id.type: must be one of uint, int, uuid, string"
                        + " (got \"guid\")")
                .anyMatch(l -> l.matches(
                        "puffgres/migrations/0001_notes.toml: transform: notes.js:2:\\d+:" + " SyntaxError: .*"))
                .contains("invalid: 2 problem(s)");
    }

    @Test
    void stopsEndlessTopLevelCodeAndExitsThree(@TempDir Path dir) throws Exception {
        jsProject(dir, 1, "while (true) {}\nexport function transform(row) { return {}; }\n");
        Result r = run("validate", "--project", dir.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(r.err().lines())
                .contains("puffgres/migrations/0001_notes.toml: transform: notes.js: the module's top-level code ran"
                        + " longer than 10000 ms and was stopped (hint: top-level code runs once when the transform"
                        + " loads; do the work in the exported function)");
    }

    @Test
    void reportsUsageErrorsInOneLinePlusAHint() {
        Result r = run("validate", "--bogus");
        assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).isEqualTo("error: Unknown option: '--bogus'\nhint: run puffgres validate --help\n");
    }

    @Test
    void reportsAMissingProject(@TempDir Path dir) {
        Result r = run("validate", "--project", dir.resolve("nope").toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(r.err()).contains("puffgres.toml: file not found in").contains("(run puffgres init)");
    }

    @Test
    void helpShowsExamplesAndExitCodes() {
        Result r = run("validate", "--help");
        assertThat(r.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(r.out())
                .contains("Examples:")
                .contains("puffgres validate --project examples/pages")
                .contains("Exit codes: 0 ok");
        assertThat(run("--help").out()).contains("validate").contains("Exit codes:");
    }
}
