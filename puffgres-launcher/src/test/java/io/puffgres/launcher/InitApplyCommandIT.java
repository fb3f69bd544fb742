package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.cli.ExitCode;
import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.WriteRequest;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code puffgres init} and {@code puffgres apply} against a real Postgres and the emulator. */
class InitApplyCommandIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static ValidateCommandTest.Result run(String... args) {
        return ValidateCommandTest.run(args);
    }

    /** A fresh project made by init, pointing at this test's Postgres (state schema {@code schema}) and emulator. */
    private static Path init(String schema) throws Exception {
        Path dir = Files.createTempDirectory("puffgres-init-").resolve("project");
        ValidateCommandTest.Result r = run(
                "init",
                dir.toString(),
                "--postgres-url",
                db.jdbcUrl(),
                "--postgres-user",
                "postgres",
                "--turbopuffer-url",
                tpuf.baseUrl());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Path toml = dir.resolve("puffgres.toml");
        Files.writeString(toml, Files.readString(toml).replace("schema = \"puffgres\"", "schema = \"" + schema + "\""));
        return dir;
    }

    private static void migration(Path dir, int version, String namespace, String extra) throws Exception {
        Files.writeString(
                dir.resolve(String.format("puffgres/migrations/%04d_items.toml", version)),
                String.join(
                        "\n",
                        "version = " + version,
                        "mapping_name = \"items\"",
                        "namespace = \"" + namespace + "\"",
                        "columns = [\"id\", \"title\"]",
                        "[source]",
                        "schema = \"public\"",
                        "table = \"items\"",
                        "[id]",
                        "column = \"id\"",
                        "type = \"uint\"",
                        extra,
                        ""));
    }

    @Test
    void initWritesAValidCommentedProjectAndNeverOverwrites() throws Exception {
        Path dir = init("puffgres");
        assertThat(dir.resolve("puffgres/migrations")).isDirectory();
        assertThat(dir.resolve("puffgres/transforms")).isDirectory();
        assertThat(Files.readString(dir.resolve("puffgres/state/.gitignore"))).contains("*");
        assertThat(Files.readString(dir.resolve("puffgres.toml")))
                .contains("url = \"" + db.jdbcUrl() + "\"")
                .contains("base_url = \"" + tpuf.baseUrl() + "\"")
                .contains("# password_env");
        ValidateCommandTest.Result valid = run("validate", "--project", dir.toString());
        assertThat(valid.exitCode()).as(valid.err()).isZero();
        assertThat(valid.out()).contains("valid: 0 mapping(s) from 0 migration(s)");

        ValidateCommandTest.Result again = run("init", dir.toString());
        assertThat(again.exitCode()).isEqualTo(ExitCode.RUNTIME);
        assertThat(again.err().lines().toList())
                .containsExactly(
                        "error: " + dir.resolve("puffgres.toml") + " already exists; init never overwrites",
                        "hint: pick another directory, or edit the existing project");
    }

    @Test
    void appliesPendingMigrationsOnceAndRunRefusesBeforeThat() throws Exception {
        db.execute("CREATE TABLE IF NOT EXISTS items (id bigint PRIMARY KEY, title text)");
        Path dir = init("ledger1");
        migration(dir, 1, "items-a", "");

        ValidateCommandTest.Result notYet = run("run", "--project", dir.toString(), "--web-ui-port", "-1");
        assertThat(notYet.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(notYet.err()).startsWith("error: no migration is applied yet\nhint: run puffgres apply");

        ValidateCommandTest.Result dry = run("apply", "--project", dir.toString(), "--dry-run");
        assertThat(dry.exitCode()).as(dry.err()).isZero();
        assertThat(dry.out())
                .contains(
                        "would apply puffgres/migrations/0001_items.toml: items v1: public.items -> namespace items-a")
                .contains("dry run: nothing written");
        assertThat(db.query("SELECT to_regclass('ledger1.migrations') IS NULL"))
                .containsExactly(Map.of("?column?", true));

        ValidateCommandTest.Result applied = run("apply", "--project", dir.toString());
        assertThat(applied.exitCode()).as(applied.err()).isZero();
        assertThat(applied.out()).contains("applied 1 migration(s), recorded in ledger1.migrations");
        assertThat(db.query("SELECT version, mapping, namespace, file FROM ledger1.migrations"))
                .containsExactly(Map.of(
                        "version", 1,
                        "mapping", "items",
                        "namespace", "items-a",
                        "file", "puffgres/migrations/0001_items.toml"));
        assertThat(run("apply", "--project", dir.toString()).out())
                .contains("nothing to apply: 1 migration(s) applied, the latest is 1");
    }

    @Test
    void refusesEditedAppliedFilesLowerVersionsAndTypeChangesInPlace() throws Exception {
        db.execute("CREATE TABLE IF NOT EXISTS items (id bigint PRIMARY KEY, title text)");
        Path dir = init("ledger2");
        migration(dir, 1, "items-b", "[tp_schema]\ntitle = \"string\"");
        migration(dir, 3, "items-b", "[tp_schema]\ntitle = \"string\"\n[write]\nbatch_max_rows = 10");
        assertThat(run("apply", "--project", dir.toString()).exitCode()).isZero();

        Path first = dir.resolve("puffgres/migrations/0001_items.toml");
        String original = Files.readString(first);
        Files.writeString(first, original + "# an innocent comment\n");
        ValidateCommandTest.Result edited = run("apply", "--project", dir.toString());
        assertThat(edited.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(edited.err())
                .startsWith("error: puffgres/migrations/0001_items.toml was edited after it was applied (checksum ")
                .contains("hint: revert the file, and put changes in a new migration; nothing was applied");
        ValidateCommandTest.Result runEdited = run("run", "--project", dir.toString(), "--web-ui-port", "-1");
        assertThat(runEdited.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(runEdited.err()).contains("was edited after it was applied");
        Files.writeString(first, original);

        migration(dir, 2, "items-b", "");
        ValidateCommandTest.Result lower = run("apply", "--project", dir.toString());
        assertThat(lower.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(lower.err())
                .startsWith("error: puffgres/migrations/0002_items.toml has version 2, below the applied version 3")
                .contains("hint: renumber it above 3");
        Files.delete(dir.resolve("puffgres/migrations/0002_items.toml"));

        migration(dir, 4, "items-b", "[tp_schema]\ntitle = \"int\"");
        ValidateCommandTest.Result typeChange = run("apply", "--project", dir.toString(), "--dry-run");
        assertThat(typeChange.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(typeChange.err())
                .startsWith("error: puffgres/migrations/0004_items.toml changes the type of title in namespace items-b"
                        + " from string to int")
                .contains("hint: give the new version a new namespace");

        migration(dir, 4, "items-b2", "[tp_schema]\ntitle = \"int\"");
        assertThat(run("apply", "--project", dir.toString()).exitCode()).isZero();
        assertThat(db.query("SELECT count(*) AS n FROM ledger2.migrations")).containsExactly(Map.of("n", 3L));
    }

    @Test
    void refusesAnEditedTransformFileAndCompletesRecordsMadeWithoutItsChecksum() throws Exception {
        db.execute("CREATE TABLE IF NOT EXISTS items (id bigint PRIMARY KEY, title text)");
        Path dir = init("ledger4");
        Path js = dir.resolve("puffgres/transforms/items.js");
        String original = "export function transform(row) { return { title: row.title }; }\n";
        Files.writeString(js, original);
        migration(dir, 1, "items-c", "[transform]\nkind = \"js\"\npath = \"transforms/items.js\"");
        ValidateCommandTest.Result first = run("apply", "--project", dir.toString());
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(db.query("SELECT checksum ~ '^[0-9a-f]{64}:[0-9a-f]{64}$' AS both FROM ledger4.migrations"))
                .containsExactly(Map.of("both", true));

        Files.writeString(js, original.replace("row.title", "row.title.toUpperCase()"));
        ValidateCommandTest.Result edited = run("apply", "--project", dir.toString());
        assertThat(edited.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(edited.err())
                .startsWith("error: puffgres/transforms/items.js (the transform of puffgres/migrations/0001_items.toml)"
                        + " was edited after it was applied (checksum ")
                .contains("hint: revert the file, and put changes in a new migration; nothing was applied");
        ValidateCommandTest.Result runEdited = run("run", "--project", dir.toString(), "--web-ui-port", "-1");
        assertThat(runEdited.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
        assertThat(runEdited.err())
                .startsWith("error: puffgres/transforms/items.js (the transform of puffgres/migrations/0001_items.toml)"
                        + " was edited after it was applied");
        Files.writeString(js, original);

        // a record made before transform files were checksummed: apply completes it, once, and says so
        db.execute("UPDATE ledger4.migrations SET checksum = split_part(checksum, ':', 1)");
        Files.writeString(js, original.replace("row.title", "row.title.trim()"));
        ValidateCommandTest.Result dry = run("apply", "--project", dir.toString(), "--dry-run");
        assertThat(dry.exitCode()).as(dry.err()).isZero();
        assertThat(dry.out())
                .contains("would record the checksum of puffgres/transforms/items.js for"
                        + " puffgres/migrations/0001_items.toml, applied before transform files were checksummed (an"
                        + " edit before now went unnoticed)");
        ValidateCommandTest.Result upgraded = run("apply", "--project", dir.toString());
        assertThat(upgraded.exitCode()).as(upgraded.err()).isZero();
        assertThat(upgraded.out()).contains("recording the checksum of puffgres/transforms/items.js for");
        assertThat(run("apply", "--project", dir.toString()).out())
                .doesNotContain("recording")
                .contains("nothing to apply");
        Files.writeString(js, original);
        assertThat(run("apply", "--project", dir.toString()).err())
                .contains("puffgres/transforms/items.js (the"
                        + " transform of puffgres/migrations/0001_items.toml) was edited after it was applied");
    }

    @Test
    void schemaDeclaresTypesInExistingNamespacesAndReportsWhatTurbopufferRefuses() throws Exception {
        db.execute("CREATE TABLE IF NOT EXISTS items (id bigint PRIMARY KEY, title text)");
        Path dir = init("ledger3");
        try (TurbopufferClient client = new TurbopufferClient(
                tpuf.baseUrl(), Optional.empty(), ErrorPolicy.defaults(), Duration.ofSeconds(10))) {
            client.write(
                    "items-c",
                    WriteRequest.builder()
                            .upsert(new Document(new DocId.Uint(1), Map.of("title", "one")))
                            .build());
            migration(dir, 1, "items-c", "[tp_schema]\nupdated = \"datetime\"");
            migration(dir, 2, "items-new", "[tp_schema]\nupdated = \"datetime\"");
            ValidateCommandTest.Result r = run("apply", "--project", dir.toString(), "--schema");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out())
                    .contains("schema: declared in namespace items-c")
                    .contains("schema: namespace items-new does not exist yet; the first write declares its schema");
            assertThat(client.schema("items-c").path("updated").path("type").asText())
                    .isEqualTo("datetime");
            assertThat(client.schema("items-c")
                            .path("__source_lsn")
                            .path("type")
                            .asText())
                    .isEqualTo("uint");

            migration(dir, 3, "items-d", "[tp_schema]\ntitle = \"int\"");
            client.write(
                    "items-d",
                    WriteRequest.builder()
                            .upsert(new Document(new DocId.Uint(1), Map.of("title", "one")))
                            .build());
            ValidateCommandTest.Result refused = run("apply", "--project", dir.toString(), "--schema");
            assertThat(refused.exitCode()).isEqualTo(ExitCode.INVALID_CONFIG);
            assertThat(refused.err())
                    .startsWith("error: turbopuffer refused the schema of puffgres/migrations/0003_items.toml: ")
                    .contains("cannot change attribute type");
            assertThat(db.query("SELECT max(version) AS v FROM ledger3.migrations"))
                    .containsExactly(Map.of("v", 2));
        }
    }
}
