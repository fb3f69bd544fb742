package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.cli.ExitCode;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code puffgres backfill} of a table keyed by a uuid and of one with a composite primary key (its mapping's id a
 * unique column), at {@code [flink] parallelism = 2} while a workload writes both: each is read in many chunks, by both
 * reader subtasks (counted in Postgres's log), and both namespaces end equal to their tables.
 */
class BackfillKeysIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final int ROWS = 20_000;
    private static final int OPERATIONS = 3000;
    private static final Duration WAIT = Duration.ofMinutes(5);

    @Test
    void uuidAndCompositeKeyedTablesFillInParallelChunksBesideAWorkload() throws Exception {
        db.execute(
                "CREATE TABLE notes (id uuid PRIMARY KEY, n int NOT NULL, title text)",
                "CREATE INDEX ON notes (n)",
                "INSERT INTO notes SELECT gen_random_uuid(), g, 'note ' || g FROM generate_series(1, " + ROWS + ") g",
                "CREATE TABLE lines (region text, n int, code bigint NOT NULL UNIQUE, title text,"
                        + " PRIMARY KEY (region, n))",
                // a DELETE names the document: its old row carries the id column
                "ALTER TABLE lines REPLICA IDENTITY USING INDEX lines_code_key",
                "INSERT INTO lines SELECT 'r' || (g % 7), g, g, 'line ' || g FROM generate_series(1, " + ROWS + ") g",
                // a slot made by hand after its publication (its namespaces adopted): backfill fills beside the stream
                "CREATE PUBLICATION keys FOR TABLE notes, lines",
                "SELECT pg_create_logical_replication_slot('keys', 'pgoutput')",
                "ALTER DATABASE \"" + db.name() + "\" SET log_statement = 'all'");
        CliProject project = CliProject.withFiles(
                db,
                tpuf,
                "keys",
                "parallelism = 2\n[fill]\nchunk_rows = 1000\n",
                Map.of(
                        "puffgres/migrations/0001_notes.toml",
                        migration(1, "notes", "\"id\", \"title\"", "id", "uuid"),
                        "puffgres/migrations/0002_lines.toml",
                        migration(2, "lines", "\"code\", \"title\"", "code", "uint")));
        CliProject notes = new CliProject(project.dir(), "notes", tpuf);
        CliProject lines = new CliProject(project.dir(), "lines", tpuf);
        Path log = db.serverLog();
        long start = ChunkReads.end(log);

        AtomicInteger done = new AtomicInteger();
        CompletableFuture<Void> workload = CompletableFuture.runAsync(() -> workload(done));
        ValidateCommandTest.Result backfill = project.run("backfill", "--detach", "--web-ui-port", "0");
        assertThat(backfill.exitCode()).as(backfill.err()).isEqualTo(ExitCode.OK);
        try {
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(db.query("SELECT mapping, state FROM keys.fills"))
                            .extracting(f -> f.get("mapping") + " " + f.get("state"))
                            .containsExactlyInAnyOrder("notes done", "lines done"));
            workload.get(5, TimeUnit.MINUTES);
            assertThat(done.get()).isGreaterThanOrEqualTo(OPERATIONS);
            await().atMost(WAIT).untilAsserted(() -> {
                ValidateCommandTest.Result verify = project.run("verify");
                assertThat(verify.exitCode()).as(verify.out()).isEqualTo(ExitCode.OK);
            });
            assertThat(titles(notes)).isEqualTo(rows("SELECT id::text AS id, title FROM notes"));
            assertThat(titles(lines)).isEqualTo(rows("SELECT code::text AS id, title FROM lines"));
        } finally {
            assertThat(project.run("stop").exitCode()).isEqualTo(ExitCode.OK);
        }
        long end = ChunkReads.end(log);
        for (String table : List.of("notes", "lines")) {
            List<ChunkReads.Read> reads = ChunkReads.between(log, start, end, "\"public\".\"" + table + "\"");
            assertThat(reads).as(table + ": chunks read").hasSizeGreaterThan(1);
            assertThat(ChunkReads.concurrentConnections(reads))
                    .as(table + ": read by two connections at once (two reader subtasks): " + reads)
                    .isTrue();
            assertThat(ChunkReads.tileTheKeySpace(reads))
                    .as(table + ": the chunks cover the key space: " + reads)
                    .isTrue();
            System.out.printf("%s: %d chunks read%n", table, reads.size());
        }
    }

    /** Migration {@code version} (its file's number) of a mapping named as its table and namespace. */
    private static String migration(int version, String table, String columns, String idColumn, String idType) {
        return String.join(
                "\n",
                "version = " + version,
                "mapping_name = \"" + table + "\"",
                "namespace = \"" + table + "\"",
                "columns = [" + columns + "]",
                "[source]",
                "schema = \"public\"",
                "table = \"" + table + "\"",
                "[id]",
                "column = \"" + idColumn + "\"",
                "type = \"" + idType + "\"",
                "[write]",
                "flush_interval_ms = 50",
                "");
    }

    /**
     * Random changes of both tables, 10 a transaction: updates, deletes and inserts of new rows (new uuids; new
     * composite keys and codes past ROWS).
     */
    private static void workload(AtomicInteger done) {
        Random random = new Random(18);
        db.pacedWorkload(OPERATIONS, 10, 25, done, op -> {
            int n = 1 + random.nextInt(ROWS);
            return switch (random.nextInt(6)) {
                case 0 -> "UPDATE notes SET title = 'upd " + op + "' WHERE n = " + n;
                case 1 -> "DELETE FROM notes WHERE n = " + n;
                case 2 -> "INSERT INTO notes VALUES (gen_random_uuid(), " + (ROWS + op) + ", 'new " + op + "')";
                case 3 -> "UPDATE lines SET title = 'upd " + op + "' WHERE code = " + n;
                case 4 -> "DELETE FROM lines WHERE code = " + n;
                default ->
                    "INSERT INTO lines VALUES ('r" + random.nextInt(7) + "', " + (ROWS + op) + ", " + (ROWS + op)
                            + ", 'new " + op + "')";
            };
        });
    }

    /** A namespace's documents as id text → title. */
    private static Map<String, String> titles(CliProject p) {
        Map<String, String> titles = new TreeMap<>();
        p.documents().forEach((id, attributes) -> titles.put(String.valueOf(id), (String) attributes.get("title")));
        return titles;
    }

    private static Map<String, String> rows(String sql) {
        Map<String, String> rows = new TreeMap<>();
        db.query(sql).forEach(r -> rows.put((String) r.get("id"), (String) r.get("title")));
        return rows;
    }
}
