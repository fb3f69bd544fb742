package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.cli.ExitCode;
import io.puffgres.config.Diagnostic;
import io.puffgres.document.AttributeSchema;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import io.puffgres.document.IdType;
import io.puffgres.event.Op;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.migration.Membership;
import io.puffgres.migration.Migration;
import io.puffgres.migration.MigrationTransforms;
import io.puffgres.migration.Project;
import io.puffgres.migration.ProjectLoader;
import io.puffgres.migration.TransformSpec;
import io.puffgres.testkit.PostgresDatabase;
import io.puffgres.testkit.ProjectFiles;
import io.puffgres.transform.Action;
import io.puffgres.transform.Transform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code puffgres generate --yes} in-process against a real Postgres: the files it writes and its errors. */
class GenerateCommandIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @TempDir
    Path dir;

    @BeforeAll
    static void schema() {
        db.execute(
                "CREATE TABLE pages (id bigint PRIMARY KEY, title text, body text, status text, org_id integer,"
                        + " deleted_at timestamptz)",
                "CREATE VIEW published_pages AS SELECT id, title FROM pages WHERE status = 'published'",
                "CREATE TABLE docs (doc_key uuid NOT NULL UNIQUE, \"Weird Col\" text, n integer)",
                "CREATE TABLE paid (order_id bigint)");
    }

    private ValidateCommandTest.Result generate(String... args) throws Exception {
        if (!Files.exists(dir.resolve("puffgres.toml"))) {
            ProjectFiles.writeConfig(dir, db.jdbcUrl(), "generate", "generate", "http://127.0.0.1:7474", 1000);
        }
        List<String> all = new ArrayList<>(List.of("generate", "--project", dir.toString()));
        all.addAll(List.of(args));
        return ValidateCommandTest.run(all.toArray(String[]::new));
    }

    /** Loads the project as validate does and builds every transform; fails on any problem. */
    private Project valid() throws Exception {
        Project project = ProjectLoader.load(dir, Map.of());
        List<Diagnostic> problems = new MigrationTransforms(project, dir.resolve("classes")).check();
        assertThat(problems).isEmpty();
        return project;
    }

    private static Migration last(Project project) {
        return project.migrations().get(project.migrations().size() - 1);
    }

    @Test
    void writesATableMappingWithAPredicateThatValidates() throws Exception {
        ValidateCommandTest.Result r = generate(
                "--yes",
                "--table",
                "pages",
                "--predicate",
                "status = 'published' AND deleted_at IS NULL",
                "--columns",
                "title,body",
                "--full-text",
                "title,body");
        assertThat(r.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(r.out())
                .isEqualTo("wrote puffgres/migrations/0001_pages.toml\nnext: puffgres validate, then puffgres apply\n");
        assertThat(r.err()).isEmpty();
        assertThat(Files.readString(dir.resolve("puffgres/migrations/0001_pages.toml")))
                .isEqualTo("""
                        # Written by puffgres generate from public.pages; edit it freely until puffgres apply records it.
                        version = 1
                        mapping_name = "pages"
                        namespace = "pages"
                        columns = ["id", "title", "body", "status", "deleted_at"]

                        [source]
                        schema = "public"
                        table = "pages"

                        [id]
                        column = "id"
                        type = "uint"

                        [membership]
                        mode = "dsl"
                        predicate = "status = 'published' AND deleted_at IS NULL"

                        [transform]
                        kind = "identity"

                        [tp_schema]
                        title = { type = "string", full_text_search = true }
                        body = { type = "string", full_text_search = true }
                        """);
        Migration m = last(valid());
        assertThat(m.membership().mode()).isEqualTo(Membership.Mode.DSL);
        assertThat(m.tpSchema().get("body").options()).containsEntry("full_text_search", true);
    }

    @Test
    void takesEveryColumnAndThePrimaryKeyByDefault() throws Exception {
        assertThat(generate("--yes", "--table", "public.pages").exitCode()).isEqualTo(ExitCode.OK);
        Migration m = last(valid());
        assertThat(m.columns()).containsExactly("id", "title", "body", "status", "org_id", "deleted_at");
        assertThat(m.id().column()).isEqualTo("id");
        assertThat(m.id().type()).isEqualTo(IdType.UINT);
        assertThat(m.membership().mode()).isEqualTo(Membership.Mode.ALL);
        assertThat(m.namespace()).isEqualTo("pages");
    }

    @Test
    void mapsAViewWithViewMembershipOverTheTableItReads() throws Exception {
        assertThat(generate("--yes", "--view", "published_pages").exitCode()).isEqualTo(ExitCode.OK);
        String text = Files.readString(dir.resolve("puffgres/migrations/0001_published_pages.toml"));
        assertThat(text)
                .contains("view = \"published_pages\"\nbase_table = \"pages\"\n")
                .contains("[membership]\nmode = \"view\"\n");
        Migration m = last(valid());
        assertThat(m.source().isView()).isTrue();
        assertThat(m.membership().mode()).isEqualTo(Membership.Mode.VIEW);
    }

    @Test
    void writesALookupQueryPostgresPlans() throws Exception {
        ValidateCommandTest.Result r =
                generate("--yes", "--table", "pages", "--lookup-sql", "SELECT 1 FROM paid WHERE order_id = $1");
        assertThat(r.exitCode()).isEqualTo(ExitCode.OK);
        Migration m = last(valid());
        assertThat(m.membership().mode()).isEqualTo(Membership.Mode.LOOKUP);
        assertThat(m.membership().sql()).contains("SELECT 1 FROM paid WHERE order_id = $1");
    }

    @Test
    void rejectsALookupQueryPostgresCannotPlanWithItsPosition() throws Exception {
        ValidateCommandTest.Result r =
                generate("--yes", "--table", "docs", "--lookup-sql", "SELECT 1 FROM paid WHERE order_id = $1");
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(r.err().lines().findFirst().orElseThrow())
                .isEqualTo("error: --lookup-sql: 1:35: Postgres: operator does not exist: bigint = uuid (in \"SELECT 1"
                        + " FROM paid WHERE order_id = $1\")");
        assertThat(migrations()).isEmpty();
    }

    @Test
    void writesAJsStubThatLoadsAndMirrorsTheColumns() throws Exception {
        ValidateCommandTest.Result r = generate("--yes", "--table", "docs", "--transform", "js");
        assertThat(r.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(r.out()).contains("wrote puffgres/migrations/0001_docs.toml\nwrote puffgres/transforms/docs.js\n");
        assertThat(Files.readString(dir.resolve("puffgres/transforms/docs.js")))
                .contains("export function transform(row, ctx) {")
                .contains("\"Weird Col\": row[\"Weird Col\"],")
                .contains("n: row.n,");
        Migration m = last(valid());
        assertThat(m.id().type()).isEqualTo(IdType.UUID);
        assertThat(m.transform().kind()).isEqualTo(TransformSpec.Kind.JS);
        assertThat(applyTo(m)).isEqualTo(Map.of("Weird Col", "hello", "n", 7L));
    }

    @Test
    void writesAJavaStubThatCompilesInItsPackage() throws Exception {
        ValidateCommandTest.Result r = generate(
                "--yes", "--table", "docs", "--transform", "java", "--java-class", "com.example.DocsTransform");
        assertThat(r.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(Files.readString(dir.resolve("puffgres/transforms/DocsTransform.java")))
                .startsWith("package com.example;\n")
                .contains("public class DocsTransform implements Transform {");
        Migration m = last(valid());
        assertThat(m.transform().className()).contains("com.example.DocsTransform");
        assertThat(applyTo(m)).isEqualTo(Map.of("Weird Col", "hello", "n", 7L));
    }

    /** The attributes the mapping's transform makes of one docs row. */
    private Map<String, Object> applyTo(Migration m) throws Exception {
        Project project = ProjectLoader.load(dir, Map.of());
        Row row = Row.builder()
                .put("doc_key", "uuid", java.util.UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
                .put("Weird Col", "text", "hello")
                .put("n", "int4", 7L)
                .build();
        RowEvent event = new RowEvent(Op.INSERT, new RelationId("public", "docs"), null, row, 1, 1, Instant.EPOCH);
        try (Transform t = new MigrationTransforms(project, dir.resolve("classes2")).create(m)) {
            DocId id = new DocId.Uuid(java.util.UUID.randomUUID());
            Action action = t.apply(event, id, text -> new float[] {0f});
            // the first call warms GraalJS up, which can pass the 1 s per-call limit on a loaded 2-core machine
            for (int retry = 0;
                    retry < 3 && action instanceof Action.Error e && e.kind().equals("timeout");
                    retry++) {
                action = t.apply(event, id, text -> new float[] {0f});
            }
            assertThat(action).isInstanceOf(Action.Upsert.class);
            Document doc = ((Action.Upsert) action).document();
            return doc.attributes();
        }
    }

    @Test
    void numbersTheMigrationAfterTheHighestAndGivesANewVersionANewNamespace() throws Exception {
        assertThat(generate("--yes", "--table", "pages").exitCode()).isEqualTo(ExitCode.OK);
        Files.move(
                dir.resolve("puffgres/migrations/0001_pages.toml"), dir.resolve("puffgres/migrations/0007_pages.toml"));
        Path moved = dir.resolve("puffgres/migrations/0007_pages.toml");
        Files.writeString(moved, Files.readString(moved).replace("version = 1", "version = 7"));

        ValidateCommandTest.Result r = generate("--yes", "--table", "pages", "--columns", "title");
        assertThat(r.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(r.out())
                .startsWith("note: mapping pages exists (v7, namespace pages); version 8 replaces it\n"
                        + "wrote puffgres/migrations/0008_pages.toml\n");
        Migration m = last(valid());
        assertThat(m.version()).isEqualTo(8);
        assertThat(m.namespace()).isEqualTo("pages_v8");
        assertThat(valid().effectiveMappings()).containsExactly(m);
    }

    @Test
    void refusesToOverwriteAnExistingStub() throws Exception {
        Files.createDirectories(dir.resolve("puffgres/transforms"));
        ProjectFiles.writeConfig(dir, db.jdbcUrl(), "generate", "generate", "http://127.0.0.1:7474", 1000);
        Files.writeString(dir.resolve("puffgres/transforms/pages.js"), "// mine\n");
        ValidateCommandTest.Result r = generate("--yes", "--table", "pages", "--transform", "js");
        assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err())
                .isEqualTo("error: --js-file defaults to pages.js: puffgres/transforms/pages.js already exists;"
                        + " puffgres generate never overwrites a file\nhint: give another --js-file\n");
        assertThat(Files.readString(dir.resolve("puffgres/transforms/pages.js")))
                .isEqualTo("// mine\n");
        assertThat(migrations()).isEmpty();

        assertThat(generate("--yes", "--table", "pages", "--transform", "js", "--js-file", "pages2.js")
                        .exitCode())
                .isEqualTo(ExitCode.OK);
        assertThat(last(valid()).transform().path()).contains("transforms/pages2.js");
    }

    @Test
    void reportsAnInvalidPredicateWithItsPosition() throws Exception {
        ValidateCommandTest.Result r = generate("--yes", "--table", "pages", "--predicate", "status = 'x' OR");
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(r.err())
                .isEqualTo("error: --predicate: 1:16: expected a column or a literal but found the end of the predicate"
                        + " (in \"status = 'x' OR\")\n"
                        + "hint: columns: id, title, body, status, org_id, deleted_at (syntax: docs/predicates.md)\n");
        assertThat(migrations()).isEmpty();
    }

    @Test
    void reportsAPredicateThatDoesNotFitTheColumnTypes() throws Exception {
        ValidateCommandTest.Result r =
                generate("--yes", "--table", "pages", "--predicate", "status = 'x' AND org_id = 'many'");
        assertThat(r.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(r.err().lines().findFirst().orElseThrow())
                .isEqualTo("error: --predicate: 1:27: invalid input syntax for type integer: \"many\" (in \"status ="
                        + " 'x' AND org_id = 'many'\")");
    }

    @Test
    void rejectsAnUnknownTable() throws Exception {
        ValidateCommandTest.Result r = generate("--yes", "--table", "nope");
        assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err())
                .isEqualTo("error: --table: no table or view nope in the database\n"
                        + "hint: tables and views: public.docs, public.pages, public.paid, public.published_pages\n");
    }

    @Test
    void rejectsAViewGivenAsATable() throws Exception {
        ValidateCommandTest.Result r = generate("--yes", "--table", "published_pages");
        assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err()).startsWith("error: --table: public.published_pages is a view; use --view\n");
    }

    @Test
    void rejectsAnIdTypeTheColumnCannotGive() throws Exception {
        ValidateCommandTest.Result r = generate("--yes", "--table", "docs", "--id-type", "uint");
        assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err())
                .isEqualTo("error: --id-type: \"uint\" is not one of the choices here\nhint: use one of: uuid,"
                        + " string\n");
    }

    @Test
    void needsATerminalWithoutYes() throws Exception {
        ValidateCommandTest.Result r = generate("--table", "pages");
        assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(r.err())
                .startsWith("error: puffgres generate asks its questions on a terminal, and there is none\n"
                        + "hint: pass --yes and give the answers as flags");
        assertThat(migrations()).isEmpty();
    }

    private List<Path> migrations() throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("puffgres/migrations"))) {
            return files.toList();
        }
    }

    @Test
    void warnsWhenDeletesWouldNotCarryTheId() throws Exception {
        ValidateCommandTest.Result r = generate("--yes", "--table", "docs");
        assertThat(r.out())
                .startsWith("note: public.docs's replica identity does not include doc_key, so a DELETE will not say"
                        + " which document to remove; run ALTER TABLE public.docs REPLICA IDENTITY FULL\n");
        assertThat(generate("--yes", "--table", "pages", "--mapping", "pages_again")
                        .out())
                .doesNotContain("replica identity");
    }

    @Test
    void leavesAttributeSchemaOutWithoutFullText() throws Exception {
        assertThat(generate("--yes", "--table", "docs").exitCode()).isEqualTo(ExitCode.OK);
        Migration m = last(valid());
        assertThat(m.tpSchema()).isEqualTo(Map.<String, AttributeSchema>of());
        assertThat(m.id().column()).isEqualTo("doc_key");
        assertThat(m.transform()).isEqualTo(TransformSpec.identity());
        assertThat(m.namespace()).isEqualTo("docs");
    }
}
