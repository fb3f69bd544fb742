package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.cli.ExitCode;
import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.Query;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.TurbopufferException;
import io.puffgres.client.WriteRequest;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.fill.FillLedger;
import io.puffgres.job.JobRunner;
import io.puffgres.migration.ProjectLoader;
import io.puffgres.testkit.PostgresDatabase;
import io.puffgres.testkit.ProjectFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code puffgres verify} on namespaces the real job mirrored (dsl membership with a JS transform, a view, a lookup):
 * clean after the snapshot and after streamed changes, then exactly the ids tampered with directly in turbopuffer.
 */
class VerifyIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final String PAGES = String.join(
            "\n",
            "version = 1",
            "mapping_name = \"pages\"",
            "namespace = \"pages\"",
            "columns = [\"id\", \"title\", \"status\", \"views\", \"score\", \"updated_at\", \"ext\", \"tags\"]",
            "[source]",
            "table = \"pages\"",
            "[id]",
            "column = \"id\"",
            "type = \"uint\"",
            "[membership]",
            "mode = \"dsl\"",
            "predicate = \"status = 'published'\"",
            "[transform]",
            "kind = \"js\"",
            "path = \"transforms/pages.js\"",
            "[tp_schema]",
            "updated_at = \"datetime\"",
            "ext = \"uuid\"",
            "score = \"float\"",
            "[write]",
            "flush_interval_ms = 50",
            "");

    private static final String PAGES_JS = String.join(
            "\n",
            "export function transform(row, ctx) {",
            "  return {",
            "    title: row.title.toUpperCase(),",
            "    label: row.title + ' #' + row.views,",
            "    views: row.views,",
            "    score: row.score,",
            "    updated_at: row.updated_at,",
            "    ext: row.ext,",
            "    tags: row.tags,",
            "  };",
            "}",
            "");

    private static final String CHEAP = String.join(
            "\n",
            "version = 2",
            "mapping_name = \"cheap\"",
            "namespace = \"cheap\"",
            "columns = [\"id\", \"name\", \"price\"]",
            "[source]",
            "view = \"cheap_items\"",
            "[id]",
            "column = \"id\"",
            "type = \"uint\"",
            "[membership]",
            "mode = \"view\"",
            "[write]",
            "flush_interval_ms = 50",
            "");

    private static final String PAID = String.join(
            "\n",
            "version = 3",
            "mapping_name = \"paid_orders\"",
            "namespace = \"paid_orders\"",
            "columns = [\"id\", \"total\"]",
            "[source]",
            "table = \"orders\"",
            "[id]",
            "column = \"id\"",
            "type = \"uint\"",
            "[membership]",
            "mode = \"lookup\"",
            "sql = \"SELECT 1 FROM paid WHERE order_id = $1\"",
            "[write]",
            "flush_interval_ms = 50",
            "");

    private static Path project() throws Exception {
        Path dir = Files.createTempDirectory("puffgres-verify-");
        ProjectFiles.writeConfig(dir, db.jdbcUrl(), "verify", "verify", tpuf.baseUrl(), 500);
        Files.createDirectories(dir.resolve("puffgres/transforms"));
        Files.writeString(dir.resolve("puffgres/transforms/pages.js"), PAGES_JS);
        Files.writeString(dir.resolve("puffgres/migrations/0001_pages.toml"), PAGES);
        Files.writeString(dir.resolve("puffgres/migrations/0002_cheap.toml"), CHEAP);
        Files.writeString(dir.resolve("puffgres/migrations/0003_paid_orders.toml"), PAID);
        return dir;
    }

    /** Keeps the project's state (DLQ, fills ledger) in a schema of its own within the class's database. */
    private static void stateSchema(Path dir, String schema) throws IOException {
        Files.writeString(
                dir.resolve("puffgres.toml"), "[state]\nschema = \"" + schema + "\"\n", StandardOpenOption.APPEND);
    }

    private static TurbopufferClient client() {
        return new TurbopufferClient(tpuf.baseUrl(), Optional.empty(), ErrorPolicy.defaults(), Duration.ofSeconds(10));
    }

    private static long count(TurbopufferClient client, String namespace) {
        try {
            Object n = client.query(namespace, Query.builder().count("n").build())
                    .aggregations()
                    .get("n");
            return ((Number) n).longValue();
        } catch (TurbopufferException e) {
            return -1;
        }
    }

    private static ValidateCommandTest.Result verify(Path dir, String... more) {
        String[] args = new String[more.length + 3];
        args[0] = "verify";
        args[1] = "--project";
        args[2] = dir.toString();
        System.arraycopy(more, 0, args, 3, more.length);
        return ValidateCommandTest.run(args);
    }

    @Test
    void aMirrorVerifiesCleanAndTamperedDocumentsAreNamedById() throws Exception {
        db.execute(
                "CREATE TABLE pages (id bigint PRIMARY KEY, title text, status text, views int, score float8,"
                        + " updated_at timestamptz, ext uuid, tags text[])",
                "INSERT INTO pages SELECT g, 'Page ' || g, CASE WHEN g = 4 THEN 'draft' ELSE 'published' END, g * 10,"
                        + " g * 0.1, '2024-05-01 10:00:00.123456+00'::timestamptz + g * interval '1 second',"
                        + " format('a0000000-0000-4000-8000-%s', lpad(g::text, 12, '0'))::uuid, ARRAY['t' || g, 'x']"
                        + " FROM generate_series(1, 6) g",
                "CREATE TABLE items (id bigint PRIMARY KEY, name text, price numeric)",
                "INSERT INTO items VALUES (1, 'pen', 2.50), (2, 'desk', 150), (3, 'cup', 20), (4, 'lamp', 99.99)",
                "CREATE VIEW cheap_items AS SELECT id, name, price FROM items WHERE price < 100",
                "CREATE TABLE orders (id bigint PRIMARY KEY, total int)",
                "CREATE TABLE paid (order_id bigint)",
                "INSERT INTO orders SELECT g, g * 100 FROM generate_series(1, 4) g",
                "INSERT INTO paid VALUES (2), (4)");
        Path dir = project();
        JobRunner.Started job = JobRunner.start(
                ProjectLoader.load(dir, Map.of()), JobRunner.Options.defaults().withCreateSlot(true));
        try (TurbopufferClient client = client()) {
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                assertThat(count(client, "pages")).isEqualTo(5);
                assertThat(count(client, "cheap")).isEqualTo(3);
                assertThat(count(client, "paid_orders")).isEqualTo(2);
            });
            // the documents are there before the initial fills are recorded done (at the next checkpoint)
            ValidateCommandTest.Result[] filled = new ValidateCommandTest.Result[1];
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                filled[0] = verify(dir);
                assertThat(filled[0].exitCode()).as(filled[0].out()).isNotEqualTo(ExitCode.FILLING);
            });
            ValidateCommandTest.Result snapshot = filled[0];
            assertThat(snapshot.out().lines().toList())
                    .containsExactly(
                            "pages v1 -> namespace pages: 5 member rows in Postgres, 5 documents in turbopuffer: equal",
                            "cheap v2 -> namespace cheap: 3 member rows in Postgres, 3 documents in turbopuffer: equal",
                            "paid_orders v3 -> namespace paid_orders: 2 member rows in Postgres, 2 documents in"
                                    + " turbopuffer: equal",
                            "verify: 3 mapping(s) match");
            assertThat(snapshot.exitCode()).isEqualTo(ExitCode.OK);

            db.execute(
                    "UPDATE pages SET title = 'Second page', views = 21 WHERE id = 2",
                    "UPDATE pages SET status = 'draft' WHERE id = 3",
                    "UPDATE pages SET status = 'published' WHERE id = 4",
                    "DELETE FROM pages WHERE id = 1",
                    "INSERT INTO pages VALUES (7, 'Page 7', 'published', 70, 2.0, now(), gen_random_uuid(), '{}')",
                    "UPDATE items SET price = 5 WHERE id = 2");
            await().atMost(Duration.ofSeconds(120))
                    .untilAsserted(() -> assertThat(verify(dir).exitCode()).isEqualTo(ExitCode.OK));
        } finally {
            job.client().cancel().get(60, TimeUnit.SECONDS);
        }

        try (TurbopufferClient client = client()) {
            client.write(
                    "pages",
                    WriteRequest.builder()
                            .asRows() // patch_columns would null the attributes one patch lacks and another has
                            .delete(new DocId.Uint(2))
                            .patch(new Document(new DocId.Uint(5), Map.of("title", "tampered")))
                            // the same millisecond and an upper-case UUID: turbopuffer stores these as equal
                            .patch(new Document(
                                    new DocId.Uint(6),
                                    Map.of(
                                            "updated_at",
                                            Instant.parse("2024-05-01T10:00:06.123999Z"),
                                            "ext",
                                            "A0000000-0000-4000-8000-000000000006")))
                            .upsert(new Document(new DocId.Uint(3), Map.of("title", "PAGE 3")))
                            .upsert(new Document(new DocId.Uint(999), Map.of("title", "ghost")))
                            .build());
        }
        ValidateCommandTest.Result tampered = verify(dir);
        assertThat(tampered.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(tampered.out().lines().toList())
                .containsExactly(
                        "pages v1 -> namespace pages: 5 member rows in Postgres, 6 documents in turbopuffer: 4"
                                + " difference(s)",
                        "  missing 1, member rows without a document: 2",
                        "  extra 2, documents without a member row: 3, 999",
                        "  stale 1, documents that differ from the transformed row:",
                        "    5: title: expected \"PAGE 5\", found \"tampered\"",
                        "cheap v2 -> namespace cheap: 4 member rows in Postgres, 4 documents in turbopuffer: equal",
                        "paid_orders v3 -> namespace paid_orders: 2 member rows in Postgres, 2 documents in"
                                + " turbopuffer: equal",
                        "verify: 1 of 3 mapping(s) differ",
                        "hint: puffgres backfill --repair pages rewrites every member row and deletes the documents"
                                + " without one");

        ValidateCommandTest.Result one = verify(dir, "pages", "--limit", "1");
        assertThat(one.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(one.out().lines().toList())
                .contains("  extra 2, documents without a member row (first 1): 3")
                .endsWith(
                        "verify: 1 of 1 mapping(s) differ",
                        "hint: puffgres backfill --repair pages rewrites every member row and deletes the documents"
                                + " without one");

        ValidateCommandTest.Result unknown = verify(dir, "nosuch");
        assertThat(unknown.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(unknown.err().lines().toList())
                .containsExactly("error: no mapping named nosuch", "hint: the mappings are: pages, cheap, paid_orders");
        assertThat(List.of(tampered.err(), one.err())).allMatch(String::isEmpty);
    }

    @Test
    void stringAndUuidIdsAreMergedInTurbopuffersOrderWithSkippedAndInvalidRowsApart() throws Exception {
        db.execute(
                "CREATE TABLE tags (slug text PRIMARY KEY, name text)",
                "INSERT INTO tags VALUES ('B', 'b'), ('a', 'a'), ('é', 'e'), ('10', 'ten'), ('9', 'nine'),"
                        + " ('Z', 'z'), ('zz', 'skip me'), (repeat('x', 65), 'too long')",
                "CREATE TABLE things (key uuid PRIMARY KEY, name text)",
                "INSERT INTO things VALUES ('f0000000-0000-4000-8000-000000000000', 'f'),"
                        + " ('10000000-0000-4000-8000-000000000000', 'one'), ('a0000000-0000-4000-8000-000000000000', 'a')");
        Path dir = Files.createTempDirectory("puffgres-verify-ids-");
        ProjectFiles.writeConfig(dir, db.jdbcUrl(), "ids", "ids", tpuf.baseUrl(), 500);
        stateSchema(dir, "ids"); // no ledger of fills: the namespaces are compared as they are
        Files.createDirectories(dir.resolve("puffgres/transforms"));
        Files.writeString(
                dir.resolve("puffgres/transforms/tags.js"),
                "export function transform(row) { return row.name === 'skip me' ? null : { name: row.name }; }\n");
        Files.writeString(
                dir.resolve("puffgres/migrations/0001_tags.toml"),
                String.join(
                        "\n",
                        "version = 1",
                        "mapping_name = \"tags\"",
                        "namespace = \"tags\"",
                        "columns = [\"slug\", \"name\"]",
                        "[source]",
                        "table = \"tags\"",
                        "[id]",
                        "column = \"slug\"",
                        "type = \"string\"",
                        "[transform]",
                        "kind = \"js\"",
                        "path = \"transforms/tags.js\"",
                        ""));
        Files.writeString(
                dir.resolve("puffgres/migrations/0002_things.toml"),
                String.join(
                        "\n",
                        "version = 2",
                        "mapping_name = \"things\"",
                        "namespace = \"things\"",
                        "columns = [\"key\", \"name\"]",
                        "[source]",
                        "table = \"things\"",
                        "[id]",
                        "column = \"key\"",
                        "type = \"uuid\"",
                        ""));
        WriteRequest.Builder tags = WriteRequest.builder();
        for (String[] doc : new String[][] {
            {"B", "b"}, {"a", "a"}, {"é", "e"}, {"10", "ten"}, {"9", "nine"}, {"zz", "not compared"}, {"zzz", "zzz"}
        }) {
            tags.upsert(new Document(new DocId.Str(doc[0]), Map.of("name", doc[1])));
        }
        WriteRequest.Builder things = WriteRequest.builder();
        things.upsert(new Document(
                new DocId.Uuid(UUID.fromString("f0000000-0000-4000-8000-000000000000")), Map.of("name", "f")));
        things.upsert(new Document(
                new DocId.Uuid(UUID.fromString("10000000-0000-4000-8000-000000000000")), Map.of("name", "uno")));
        things.upsert(new Document(
                new DocId.Uuid(UUID.fromString("a0000000-0000-4000-8000-000000000000")), Map.of("name", "a")));
        try (TurbopufferClient client = client()) {
            client.write("tags", tags.build());
            client.write("things", things.build());
        }
        ValidateCommandTest.Result r = verify(dir);
        assertThat(r.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(r.out().lines().toList())
                .containsExactly(
                        "tags v1 -> namespace tags: 6 member rows in Postgres, 7 documents in turbopuffer, 1 skipped"
                                + " by the transform: 3 difference(s)",
                        "  missing 1, member rows without a document: Z",
                        "  extra 1, documents without a member row: zzz",
                        "  errors 1, rows the job sends to the DLQ:",
                        "    " + "x".repeat(65) + ": id: id column \"slug\" (id type string) is 65 bytes;"
                                + " turbopuffer string ids are at most 64 bytes (got \"" + "x".repeat(65) + "\")",
                        "things v2 -> namespace things: 3 member rows in Postgres, 3 documents in turbopuffer: 1"
                                + " difference(s)",
                        "  stale 1, documents that differ from the transformed row:",
                        "    10000000-0000-4000-8000-000000000000: name: expected \"one\", found \"uno\"",
                        "verify: 2 of 2 mapping(s) differ",
                        "hint: puffgres backfill --repair tags things rewrites every member row and deletes the"
                                + " documents without one");
    }

    @Test
    void aNamespaceBeingFilledFailedOrNeverFilledIsNotComparedAndTheExitCodeSaysWhich() throws Exception {
        db.execute(
                "CREATE TABLE notes (id bigint PRIMARY KEY, body text)", "INSERT INTO notes VALUES (1, 'a'), (2, 'b')");
        Path dir = Files.createTempDirectory("puffgres-verify-fills-");
        ProjectFiles.writeConfig(dir, db.jdbcUrl(), "fills", "fills", tpuf.baseUrl(), 500);
        stateSchema(dir, "fills");
        String[] names = {"filling", "failing", "fresh", "filled"};
        for (int v = 1; v <= names.length; v++) {
            String name = names[v - 1];
            Files.writeString(
                    dir.resolve("puffgres/migrations/000" + v + "_" + name + ".toml"),
                    ProjectFiles.migration(v, name, name, "notes", "\"id\", \"body\"", ""));
        }
        // the ledger as runs leave it: one fill running, one failed, one done, none for "fresh" (applied since)
        FillLedger ledger = new FillLedger("fills");
        long running;
        long failed;
        try (Connection c = db.connect()) {
            ledger.ensure(c);
            running = ledger.request(c, "filling", 1, "filling", FillLedger.Reason.NEW_MAPPING);
            ledger.started(c, running, 2);
            ledger.progress(c, running, 1, 1, "2");
            failed = ledger.request(c, "failing", 2, "failing", FillLedger.Reason.NEW_MAPPING);
            ledger.started(c, failed, 2);
            ledger.failed(c, failed, "mapping failing: table public.notes does not exist; create it");
            ledger.done(c, ledger.request(c, "filled", 4, "filled", FillLedger.Reason.INITIAL), 2, 1);
        }
        try (TurbopufferClient client = client()) {
            client.write(
                    "filled",
                    WriteRequest.builder()
                            .upsert(new Document(new DocId.Uint(1), Map.of("body", "a")))
                            .upsert(new Document(new DocId.Uint(2), Map.of("body", "b")))
                            .build());
        }

        ValidateCommandTest.Result all = verify(dir);
        assertThat(all.out().lines().toList())
                .containsExactly(
                        "filling v1 -> namespace filling: being filled, not compared (fill #" + running
                                + ", new mapping: 1 of ~2 rows (50%), 1 chunk(s) done); verify again once it is filled",
                        "failing v2 -> namespace failing: not filled, not compared: fill #" + failed
                                + ", new mapping, failed after 0 of ~2 rows (0%): mapping failing: table public.notes"
                                + " does not exist; create it",
                        "  fix its cause, then puffgres run (or puffgres backfill --resume) takes the fill up again",
                        "fresh v3 -> namespace fresh: not filled yet, not compared: the fills ledger has no fill of v3",
                        "  puffgres run fills it as it starts (stop a run that is running first), or puffgres backfill"
                                + " fresh",
                        "filled v4 -> namespace filled: 2 member rows in Postgres, 2 documents in turbopuffer: equal",
                        "verify: 1 of 4 mapping(s) match, 2 not filled, 1 being filled (verify again once filled)");
        assertThat(all.exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(verify(dir, "filling").exitCode()).isEqualTo(ExitCode.FILLING);
        assertThat(verify(dir, "failing").exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(verify(dir, "fresh").exitCode()).isEqualTo(ExitCode.PREFLIGHT);
        assertThat(verify(dir, "filled").exitCode()).isEqualTo(ExitCode.OK);
        assertThat(verify(dir, "filling").out())
                .endsWith("verify: 0 of 1 mapping(s) match, 1 being filled (verify again once filled)\n");
    }
}
