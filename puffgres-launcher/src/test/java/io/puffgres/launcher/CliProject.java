package io.puffgres.launcher;

import io.puffgres.cli.ExitCode;
import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.Query;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import io.puffgres.testkit.ProjectFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A throwaway project for the command ITs: table {@code name (id bigint PRIMARY KEY, title text)} mirrored into
 * namespace {@code name} by a JS transform that copies the title, except that it throws for titles starting with
 * "boom" (so those rows go to the DLQ), or by the identity transform ({@link #withIdentityTransform}); slot,
 * publication and state schema are named {@code name} too. The migration is applied.
 */
record CliProject(Path dir, String name, EmulatorExtension tpuf) {

    /** The transform the project starts with: titles starting with "boom" fail, naming the row's columns. */
    static final String REJECTS_BOOMS = String.join(
            "\n",
            "export function transform(row, ctx) {",
            "  if (row.title.startsWith('boom')) throw new Error('no booms please: ' + row.title + ' (row has '"
                    + " + Object.keys(row) + ')');",
            "  return { title: row.title };",
            "}",
            "");

    static CliProject create(PostgresDatabase db, EmulatorExtension tpuf, String name) throws IOException {
        return create(db, tpuf, name, true);
    }

    /**
     * The same project with the identity transform: for many rows, since a JS transform's first calls can outlast its
     * timeout on a loaded machine.
     */
    static CliProject withIdentityTransform(PostgresDatabase db, EmulatorExtension tpuf, String name)
            throws IOException {
        return create(db, tpuf, name, false);
    }

    private static CliProject create(PostgresDatabase db, EmulatorExtension tpuf, String name, boolean js)
            throws IOException {
        db.execute("CREATE TABLE IF NOT EXISTS " + name + " (id bigint PRIMARY KEY, title text)");
        Path dir = Files.createTempDirectory("puffgres-cli-");
        ProjectFiles.writeConfig(dir, db.jdbcUrl(), name, name, tpuf.baseUrl(), 500);
        Files.createDirectories(dir.resolve("puffgres/transforms"));
        Files.writeString(
                dir.resolve("puffgres/migrations/0001_" + name + ".toml"),
                String.join(
                        "\n",
                        "version = 1",
                        "mapping_name = \"" + name + "\"",
                        "namespace = \"" + name + "\"",
                        "columns = [\"id\", \"title\"]",
                        "[source]",
                        "schema = \"public\"",
                        "table = \"" + name + "\"",
                        "[id]",
                        "column = \"id\"",
                        "type = \"uint\"",
                        js ? "[transform]\nkind = \"js\"\npath = \"transforms/t.js\"" : "",
                        "[write]",
                        "flush_interval_ms = 50",
                        ""));
        // each project keeps its applied-migration records and DLQ in its own schema of the shared database
        Files.writeString(
                dir.resolve("puffgres.toml"), "[state]\nschema = \"" + name + "\"\n", StandardOpenOption.APPEND);
        CliProject project = new CliProject(dir, name, tpuf);
        project.transform(REJECTS_BOOMS);
        ValidateCommandTest.Result applied = project.run("apply");
        if (applied.exitCode() != ExitCode.OK) {
            throw new IllegalStateException("puffgres apply failed: " + applied.err());
        }
        return project;
    }

    /** Replaces the JS transform's source. */
    void transform(String source) throws IOException {
        Files.writeString(dir.resolve("puffgres/transforms/t.js"), source);
    }

    /** Runs a puffgres command with {@code --project} set to this project. */
    ValidateCommandTest.Result run(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--project";
        all[args.length + 1] = dir.toString();
        return ValidateCommandTest.run(all);
    }

    /** The namespace's documents as id → title; empty before the first write. */
    Map<Long, String> titles() {
        Map<Long, String> titles = new TreeMap<>();
        try (TurbopufferClient client = new TurbopufferClient(
                tpuf.baseUrl(), Optional.empty(), ErrorPolicy.defaults(), Duration.ofSeconds(10))) {
            client.query(
                            name,
                            Query.builder()
                                    .rankBy(Query.RankBy.attribute("id", true))
                                    .topK(1000)
                                    .includeAllAttributes()
                                    .build())
                    .rows()
                    .forEach(r -> titles.put(((Number) r.get("id")).longValue(), String.valueOf(r.get("title"))));
        } catch (TurbopufferException e) {
            if (e.status() != 404) {
                throw e;
            }
        }
        return titles;
    }
}
