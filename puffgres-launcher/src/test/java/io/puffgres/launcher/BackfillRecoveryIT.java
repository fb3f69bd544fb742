package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.cli.ExitCode;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.emulator.Faults.Fault;
import io.puffgres.testkit.PostgresDatabase;
import io.puffgres.testkit.ProjectFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code kill -9} of a real {@code puffgres backfill} process in the middle of its fill, with a workload writing the
 * table meanwhile; {@code backfill --resume} then reads only the chunks that were not finished, and after the stream
 * catches up the namespace equals the table. Reads are counted in Postgres's own log, not in puffgres's figures.
 */
class BackfillRecoveryIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final String NAME = "recov";
    private static final String RELATION = "\"public\".\"" + NAME + "\"";
    private static final int ROWS = 30_000;
    private static final int CHUNK_ROWS = 1000;
    private static final int OPERATIONS = 6000;
    private static final Duration WAIT = Duration.ofMinutes(5);

    @Test
    void aBackfillKilledMidwayResumesWithoutReadingFinishedChunksAgainAndEndsEqual() throws Exception {
        db.execute(
                "CREATE TABLE " + NAME + " (id bigint PRIMARY KEY, title text)",
                "INSERT INTO " + NAME + " SELECT g, 'seed ' || g FROM generate_series(1, " + ROWS + ") g",
                // a slot made by hand after its publication (its namespace adopted): backfill fills beside the stream
                "CREATE PUBLICATION " + NAME + " FOR TABLE " + NAME,
                "SELECT pg_create_logical_replication_slot('" + NAME + "', 'pgoutput')",
                "ALTER DATABASE \"" + db.name() + "\" SET log_statement = 'all'");
        CliProject p = project();
        // writes of 100 documents, each answered after 50 ms, up to 4 in flight: the fill takes seconds, not one
        tpuf.emulator().faults().rate(Fault.latency(50), 1.0);
        Path log = db.serverLog();
        long start = ChunkReads.end(log);

        AtomicInteger done = new AtomicInteger();
        CompletableFuture<Void> workload = CompletableFuture.runAsync(() -> workload(done));
        Path output = p.dir().resolve("backfill.out");
        Process backfill = new ProcessBuilder(Main.javaCommand(
                        List.of("backfill", "--project", p.dir().toString(), "--web-ui-port", "-1")))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        List<ChunkReads.Read> finishedBeforeKill;
        long killedAt;
        try (Connection holder = db.connect()) {
            await().atMost(WAIT).until(() -> chunksDone() >= 10);
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                // granted once the chunk being read is read; every chunk query after it waits, unlogged: Postgres
                // takes a query's table lock while parsing it and logs the query when it executes
                s.execute("LOCK TABLE " + NAME + " IN ACCESS EXCLUSIVE MODE");
            }
            await().atMost(WAIT).until(() -> !heldReaders().isEmpty());
            finishedBeforeKill = ChunkReads.between(log, start, ChunkReads.end(log), RELATION);
            // every chunk read is reported finished, then a checkpoint taken after that completes
            await().atMost(WAIT).until(() -> chunksDone() == finishedBeforeKill.size());
            int checkpoint = newestCheckpoint(p);
            await().atMost(WAIT).until(() -> newestCheckpoint(p) >= checkpoint + 2);
            assertThat(backfill.isAlive()).as(Files.readString(output)).isTrue();
            RunGuardsIT.signal(backfill.pid(), "KILL");
            assertThat(backfill.waitFor(1, TimeUnit.MINUTES)).isTrue();
            killedAt = ChunkReads.end(log);
            assertThat(ChunkReads.between(log, start, killedAt, RELATION)).isEqualTo(finishedBeforeKill);
            holder.rollback();
        } finally {
            backfill.destroyForcibly();
        }
        tpuf.emulator().faults().clear();
        assertThat(finishedBeforeKill).hasSizeGreaterThanOrEqualTo(10).hasSizeLessThan(ROWS / CHUNK_ROWS);

        ValidateCommandTest.Result resumed = p.run("backfill", "--resume", "--web-ui-port", "-1");
        assertThat(resumed.exitCode()).as(resumed.err()).isEqualTo(ExitCode.OK);
        assertThat(resumed.out())
                .containsPattern("following the open fill #\\d+ of recov v1 \\(backfill\\)")
                .contains("every fill is done: stopping the job");
        // the killed process's backends run the queries it had sent once the lock goes; their rows reach no one
        Set<Long> killed = finishedBeforeKill.stream().map(ChunkReads.Read::pid).collect(Collectors.toSet());
        List<ChunkReads.Read> readAfterKill = ChunkReads.between(log, killedAt, ChunkReads.end(log), RELATION).stream()
                .filter(r -> !killed.contains(r.pid()))
                .toList();

        assertThat(readAfterKill).as("the resumed backfill reads what was left").isNotEmpty();
        assertThat(bounds(readAfterKill))
                .as("no chunk finished before the kill is read again")
                .doesNotContainAnyElementsOf(bounds(finishedBeforeKill))
                .as("each chunk is read once after the kill")
                .doesNotHaveDuplicates();
        List<ChunkReads.Read> all = new ArrayList<>(finishedBeforeKill);
        all.addAll(readAfterKill);
        assertThat(ChunkReads.tileTheKeySpace(all))
                .as("the chunks read cover the key space: " + all)
                .isTrue();
        System.out.printf(
                "chunk reads: %d before the kill, %d after it, %d chunks%n",
                finishedBeforeKill.size(), readAfterKill.size(), all.size());

        workload.get(3, TimeUnit.MINUTES);
        assertThat(done.get()).isGreaterThanOrEqualTo(OPERATIONS);
        assertThat(db.query("SELECT state, rows_done FROM " + NAME + ".fills WHERE reason = 'backfill'"))
                .singleElement()
                .satisfies(f -> assertThat(f.get("state")).isEqualTo("done"));
        // the stream catches up with what the workload wrote after the backfill stopped
        ValidateCommandTest.Result run = p.run("run", "--detach", "--web-ui-port", "0");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCode.OK);
        try {
            await().atMost(WAIT).untilAsserted(() -> {
                ValidateCommandTest.Result verify = p.run("verify");
                assertThat(verify.exitCode()).as(verify.out()).isEqualTo(ExitCode.OK);
            });
            assertThat(p.titles()).isEqualTo(rows());
        } finally {
            assertThat(p.run("stop").exitCode()).isEqualTo(ExitCode.OK);
        }
    }

    /** Table {@code recov} into namespace {@code recov}, chunks of 1,000 rows, writes of 100 documents; applied. */
    private static CliProject project() throws Exception {
        return CliProject.withFiles(
                db,
                tpuf,
                NAME,
                "[fill]\nchunk_rows = " + CHUNK_ROWS + "\n",
                Map.of(
                        "puffgres/migrations/0001_" + NAME + ".toml",
                        ProjectFiles.migration(
                                1,
                                NAME,
                                NAME,
                                NAME,
                                "\"id\", \"title\"",
                                "batch_max_rows = 100\nflush_interval_ms = 50")));
    }

    /**
     * Random changes over ids 1..ROWS+2000 (past ROWS: new ids), 10 a transaction: inserts, re-inserts of deleted ids,
     * updates, deletes.
     */
    private static void workload(AtomicInteger done) {
        CliProject.randomChanges(db, NAME, OPERATIONS, ROWS + 2000, 18, done);
    }

    /** The fill's chunks finished (reported by its readers), from the ledger. */
    private static long chunksDone() {
        if (db.query("SELECT to_regclass('" + NAME + ".fills') IS NOT NULL AS made")
                .get(0)
                .get("made")
                .equals(false)) {
            return 0; // the backfill has not made its ledger yet
        }
        List<Map<String, Object>> rows =
                db.query("SELECT chunks_done FROM " + NAME + ".fills WHERE reason = 'backfill'");
        return rows.isEmpty() ? 0 : ((Number) rows.get(0).get("chunks_done")).longValue();
    }

    /** The backends of chunk queries waiting for the table lock. */
    private static Set<Long> heldReaders() {
        return db
                .query("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM "
                        + RELATION + " WHERE %' AND query NOT LIKE '% LIMIT %'")
                .stream()
                .map(r -> ((Number) r.get("pid")).longValue())
                .collect(Collectors.toSet());
    }

    private static List<String> bounds(List<ChunkReads.Read> reads) {
        return reads.stream().map(r -> r.lower() + ".." + r.upper()).toList();
    }

    /** The number of the newest completed checkpoint of the project's runs (0: none yet). */
    private static int newestCheckpoint(CliProject p) throws Exception {
        Path checkpoints = p.dir().resolve("puffgres/state/checkpoints");
        if (!Files.isDirectory(checkpoints)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(checkpoints, 3)) {
            return files.filter(f -> f.getFileName().toString().equals("_metadata"))
                    .map(f -> f.getParent().getFileName().toString())
                    .filter(d -> d.startsWith("chk-"))
                    .mapToInt(d -> Integer.parseInt(d.substring(4)))
                    .max()
                    .orElse(0);
        }
    }

    private static Map<Long, String> rows() {
        Map<Long, String> rows = new TreeMap<>();
        db.query("SELECT id, title FROM " + NAME)
                .forEach(r -> rows.put(((Number) r.get("id")).longValue(), (String) r.get("title")));
        return rows;
    }
}
