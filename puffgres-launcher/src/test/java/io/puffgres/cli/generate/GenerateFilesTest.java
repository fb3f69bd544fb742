package io.puffgres.cli.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.puffgres.cli.CliException;
import io.puffgres.document.IdType;
import io.puffgres.event.PgType;
import io.puffgres.migration.IdSpec;
import io.puffgres.migration.Membership;
import io.puffgres.migration.Source;
import io.puffgres.migration.TransformSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

/** What {@code puffgres generate} writes, and the names it derives, without a database. */
class GenerateFilesTest {

    @TempDir
    Path dir;

    private static MigrationDraft draft(String predicate, TransformSpec transform) {
        return new MigrationDraft(
                3,
                "notes",
                "notes",
                List.of("id", "Odd \"Name\"", "body"),
                new Source("public", Optional.of("notes"), Optional.empty(), Optional.empty()),
                new IdSpec("id", IdType.UINT),
                new Membership(
                        Membership.Mode.DSL, Optional.of(DraftChecks.parsedPredicate(predicate)), Optional.empty()),
                transform,
                List.of("Odd \"Name\""));
    }

    @Test
    void escapesQuotesAndBackslashesSoTheFileReadsBackTheSame() {
        String predicate = "body = 'say \"hi\" \\ bye' OR \"Odd \"\"Name\"\"\" IS NULL";
        String text = MigrationFiles.render(draft(predicate, TransformSpec.identity()));
        TomlParseResult toml = Toml.parse(text);
        assertThat(toml.errors()).isEmpty();
        assertThat(toml.getString("membership.predicate")).isEqualTo(predicate);
        assertThat(toml.getArray("columns").toList()).containsExactly("id", "Odd \"Name\"", "body");
        assertThat(toml.getTable("tp_schema").keySet()).containsExactly("Odd \"Name\"");
        assertThat(text).startsWith("# Written by puffgres generate from public.notes;");
    }

    @Test
    void writesNothingWhenTheMigrationExists() throws Exception {
        TransformSpec js = new TransformSpec(
                TransformSpec.Kind.JS,
                Optional.of("transforms/notes.js"),
                Optional.of("transform"),
                Optional.empty(),
                false);
        MigrationFiles files = new MigrationFiles(dir);
        Path existing = files.migrationPath(draft("body IS NULL", js));
        Files.createDirectories(existing.getParent());
        Files.writeString(existing, "mine");

        assertThatThrownBy(() -> files.write(draft("body IS NULL", js)))
                .isInstanceOf(CliException.class)
                .hasMessage("puffgres/migrations/0003_notes.toml already exists; puffgres generate never overwrites a"
                        + " file");
        assertThat(Files.readString(existing)).isEqualTo("mine");
        assertThat(dir.resolve("puffgres/transforms/notes.js")).doesNotExist();
    }

    @Test
    void writesTheStubAndTheMigration() throws Exception {
        TransformSpec java = new TransformSpec(
                TransformSpec.Kind.JAVA,
                Optional.of("transforms/NotesTransform.java"),
                Optional.empty(),
                Optional.of("NotesTransform"),
                false);
        List<String> written = new MigrationFiles(dir).write(draft("body IS NULL", java));
        assertThat(written)
                .containsExactly("puffgres/migrations/0003_notes.toml", "puffgres/transforms/NotesTransform.java");
        assertThat(Files.readString(dir.resolve("puffgres/transforms/NotesTransform.java")))
                .doesNotStartWith("package")
                .contains("List.of(\"Odd \\\"Name\\\"\", \"body\")");
    }

    @Test
    void derivesNamesFromTheRelation() {
        assertThat(DraftChecks.mappingNameFor("2024 Orders!")).isEqualTo("orders");
        assertThat(DraftChecks.mappingNameFor("Pages")).isEqualTo("pages");
        assertThat(DraftChecks.mappingNameFor("1234")).isEqualTo("mapping");
        assertThat(DraftChecks.javaClassFor("pages_public")).isEqualTo("PagesPublicTransform");
        assertThat(DraftChecks.mappingName("Pages")).isPresent();
        assertThat(DraftChecks.javaClass("com.example.X", dir)).isEmpty();
        assertThat(DraftChecks.javaClass("class", dir)).isPresent();
    }

    @Test
    void offersTheIdTypesAColumnTypeCanGive() {
        assertThat(DraftChecks.idTypes(PgType.of("bigint"))).containsExactly(IdType.UINT, IdType.INT, IdType.STRING);
        assertThat(DraftChecks.idTypes(PgType.of("uuid"))).containsExactly(IdType.UUID, IdType.STRING);
        assertThat(DraftChecks.idTypes(PgType.of("character varying(20)"))).containsExactly(IdType.STRING, IdType.UUID);
        assertThat(DraftChecks.idTypes(PgType.of("jsonb"))).containsExactly(IdType.STRING);
    }

    @Test
    void checksALookupQueryBeforePostgresDoes() {
        assertThat(DraftChecks.lookupShape("DELETE FROM t WHERE id = $1")).isPresent();
        assertThat(DraftChecks.lookupShape("SELECT 1 FROM t")).isPresent();
        assertThat(DraftChecks.lookupShape("  with p as (select 1) SELECT 1 FROM p WHERE $1 > 0"))
                .isEmpty();
    }
}
