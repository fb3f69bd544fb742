package io.puffgres.launcher;

import io.puffgres.cli.ExitCode;
import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.Filter;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A throwaway project for the command ITs: table {@code name (id bigint PRIMARY KEY, title text)} mirrored into
 * namespace {@code name} by a JS transform that copies the title, except that it throws for titles starting with
 * "boom" (so those rows go to the DLQ), or by the identity transform ({@link #withIdentityTransform}); slot,
 * publication and state schema are named {@code name} too. The migration is applied.
 */
record CliProject(Path dir, String name, EmulatorExtension tpuf) {

    /** Documents per query when reading a namespace back. */
    private static final int PAGE = 1000;

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
        return withFiles(
                db,
                tpuf,
                name,
                "",
                Map.of(
                        "puffgres/transforms/t.js",
                        REJECTS_BOOMS,
                        "puffgres/migrations/0001_" + name + ".toml",
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
                                "")));
    }

    /**
     * A project whose slot, publication and state schema are named {@code name}, checkpointing every 500 ms, with
     * {@code files} (path in the project → content: migrations, transforms); applied.
     *
     * @param settings TOML appended to {@code puffgres.toml} right after its {@code [flink]} table's keys: more
     *     {@code [flink]} keys first, then other tables
     */
    static CliProject withFiles(
            PostgresDatabase db, EmulatorExtension tpuf, String name, String settings, Map<String, String> files)
            throws IOException {
        Path dir = Files.createTempDirectory("puffgres-cli-");
        ProjectFiles.writeConfig(dir, db.jdbcUrl(), name, name, tpuf.baseUrl(), 500);
        // each project keeps its applied-migration records and DLQ in its own schema of the shared database
        Files.writeString(
                dir.resolve("puffgres.toml"),
                settings + "[state]\nschema = \"" + name + "\"\n",
                StandardOpenOption.APPEND);
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path path = dir.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        CliProject project = new CliProject(dir, name, tpuf);
        ValidateCommandTest.Result applied = project.run("apply");
        if (applied.exitCode() != ExitCode.OK) {
            throw new IllegalStateException("puffgres apply failed: " + applied.err());
        }
        return project;
    }

    /**
     * A paced workload on table {@code name (id, title)} until {@code total} statements: random inserts (and
     * re-inserts of deleted ids), updates and deletes over ids 1..{@code ids}, 10 a transaction, every 25 ms.
     */
    static void randomChanges(PostgresDatabase db, String name, int total, int ids, long seed, AtomicInteger done) {
        Random random = new Random(seed);
        db.pacedWorkload(total, 10, 25, done, op -> {
            int id = 1 + random.nextInt(ids);
            return switch (random.nextInt(4)) {
                case 0 ->
                    "INSERT INTO " + name + " VALUES (" + id + ", 'new " + op + "')"
                            + " ON CONFLICT (id) DO UPDATE SET title = excluded.title";
                case 1 -> "DELETE FROM " + name + " WHERE id = " + id;
                default -> "UPDATE " + name + " SET title = 'upd " + op + "' WHERE id = " + id;
            };
        });
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
        documents().forEach((id, attributes) -> titles.put((Long) id, String.valueOf(attributes.get("title"))));
        return titles;
    }

    /**
     * Every document of the namespace, as id (a {@code Long} for numeric ids, else the id's text) → its attributes
     * without the id, read a page at a time in id order; empty before the first write.
     */
    Map<Object, Map<String, Object>> documents() {
        Map<Object, Map<String, Object>> documents = new LinkedHashMap<>();
        try (TurbopufferClient client = new TurbopufferClient(
                tpuf.baseUrl(), Optional.empty(), ErrorPolicy.defaults(), Duration.ofSeconds(30))) {
            Object last = null;
            while (true) {
                Query.Builder page = Query.builder()
                        .rankBy(Query.RankBy.attribute("id", true))
                        .topK(PAGE)
                        .includeAllAttributes();
                if (last != null) {
                    page.filters(Filter.gt("id", last));
                }
                List<Map<String, Object>> rows =
                        client.query(name, page.build()).rows();
                for (Map<String, Object> row : rows) {
                    Map<String, Object> attributes = new TreeMap<>(row);
                    last = attributes.remove("id");
                    attributes.remove("$dist");
                    documents.put(last instanceof Number n ? (Object) n.longValue() : last, attributes);
                }
                if (rows.size() < PAGE) {
                    return documents;
                }
            }
        } catch (TurbopufferException e) {
            if (e.status() != 404) {
                throw e;
            }
            return documents;
        }
    }
}
