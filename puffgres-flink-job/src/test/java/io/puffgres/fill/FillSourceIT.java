package io.puffgres.fill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.fill.FillLedger.Fill;
import io.puffgres.fill.FillLedger.State;
import io.puffgres.stream.JobSpec;
import io.puffgres.testkit.PostgresDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fill source in a MiniCluster: every row once at parallelism 2; a restore reads only unfinished chunks. */
class FillSourceIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int ROWS = 50_000;
    private static final int CHUNK_ROWS = 1_000;

    private static FillCluster cluster;
    private final FillLedger ledger = new FillLedger("puffgres");

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new FillCluster();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    /** A table of {@link #ROWS} rows, its project and a requested fill. */
    private JobSpec table(String name) throws Exception {
        db.execute(
                "CREATE TABLE " + name + " (id bigint PRIMARY KEY, title text, body text)",
                "INSERT INTO " + name + " SELECT g, 'title ' || g, repeat(md5(g::text), 5)"
                        + " FROM generate_series(1, " + ROWS + ") g");
        Path dir =
                FillFixtures.project(db, name, "\"id\", \"title\", \"body\"", "table = \"" + name + "\"", "uint", "");
        return new JobSpec(dir.toString(), 0, name + "_slot", Map.of(name, 1), false);
    }

    private long request(String mapping) throws Exception {
        try (Connection c = db.connect()) {
            ledger.ensure(c);
            return ledger.request(c, mapping, 1, mapping, FillLedger.Reason.INITIAL);
        }
    }

    private Fill fill(long id) {
        try (Connection c = db.connect()) {
            return ledger.get(c, id).orElseThrow();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Fill awaitDone(long id) {
        return await().atMost(WAIT).until(() -> fill(id), f -> f.state() == State.DONE);
    }

    @Test
    void everyRowIsEmittedExactlyOnceAtParallelismTwo() throws Exception {
        JobSpec spec = table("once");
        long id = request("once");
        JobID job = cluster.start("once", spec, new FillRequest(id, "once", 1, CHUNK_ROWS, false), 2, null);
        Fill done = awaitDone(id);
        cluster.cancel(job);
        Map<String, AtomicInteger> seen = FillCluster.SEEN.get("once");
        assertThat(seen).hasSize(ROWS);
        assertThat(seen.values()).allMatch(n -> n.get() == 1);
        assertThat(seen).containsKeys("1", "25000", "50000");
        assertThat(done.rowsDone()).isEqualTo(ROWS);
        assertThat(done.chunksDone()).isEqualTo(ROWS / CHUNK_ROWS);
        assertThat(done.rowsEstimate()).isEqualTo(-1); // never analyzed
        assertThat(done.cursor()).contains("done");
    }

    /**
     * Readers are held mid-fill (an exclusive lock on the table stops every chunk query until released); once every
     * chunk read so far is reported, a savepoint is taken and the job cancelled. Restored from it, the fill reads
     * exactly the chunks that were not finished, each once, and the ledger ends done with every row.
     */
    @Test
    void aRestoreReadsOnlyTheChunksNotFinishedInItsCheckpoint() throws Exception {
        JobSpec spec = table("resumed");
        long id = request("resumed");
        FillRequest request = new FillRequest(id, "resumed", 1, CHUNK_ROWS, false);
        JobID first = cluster.start("first", spec, request, 2, null);
        Map<String, AtomicInteger> firstSeen = FillCluster.SEEN.get("first");
        await().atMost(WAIT).until(() -> firstSeen.size() >= 10 * CHUNK_ROWS);
        Set<Integer> finished;
        Path savepoint;
        try (Connection holder = db.connect()) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("LOCK TABLE resumed IN ACCESS EXCLUSIVE MODE"); // once the chunks being read are read
            }
            // quiet: every chunk in the sink is whole, and the enumerator counts exactly those as finished
            finished = await().atMost(WAIT)
                    .until(
                            () -> wholeChunks(firstSeen),
                            whole -> whole != null && fill(id).chunksDone() == whole.size());
            assertThat(finished.size()).isBetween(10, ROWS / CHUNK_ROWS - 1);
            savepoint = cluster.savepoint(first, Files.createTempDirectory("fill-savepoint"));
            holder.rollback();
        }
        cluster.cancel(first);

        JobID second = cluster.start("second", spec, request, 2, savepoint);
        Fill done = awaitDone(id);
        cluster.cancel(second);
        Map<Integer, Integer> readAgain = rowsPerChunk(FillCluster.SEEN.get("second"));
        assertThat(readAgain.keySet()).doesNotContainAnyElementsOf(finished);
        Set<Integer> all = new HashSet<>(readAgain.keySet());
        all.addAll(finished);
        assertThat(all).hasSize(ROWS / CHUNK_ROWS);
        assertThat(readAgain.values()).allMatch(rows -> rows == CHUNK_ROWS);
        assertThat(FillCluster.SEEN.get("second").values()).allMatch(n -> n.get() == 1);
        assertThat(done.rowsDone()).isEqualTo(ROWS);
        assertThat(done.chunksDone()).isEqualTo(ROWS / CHUNK_ROWS);
    }

    /** Chunk index → rows seen of it (ids 1..ROWS, CHUNK_ROWS to a chunk). */
    private static Map<Integer, Integer> rowsPerChunk(Map<String, AtomicInteger> seen) {
        Map<Integer, Integer> rows = new HashMap<>();
        seen.forEach((id, n) -> rows.merge((Integer.parseInt(id) - 1) / CHUNK_ROWS, n.get(), Integer::sum));
        return rows;
    }

    /** The chunks seen whole, or null while some chunk is seen in part. */
    private static Set<Integer> wholeChunks(Map<String, AtomicInteger> seen) {
        Map<Integer, Integer> rows = rowsPerChunk(seen);
        return rows.values().stream().allMatch(n -> n == CHUNK_ROWS) ? new HashSet<>(rows.keySet()) : null;
    }

    /** A row whose id cannot be a document id (NULL) reaches the DLQ, named, as the stream's route stage sends it. */
    @Test
    void aNullIdGoesToTheDlq() throws Exception {
        db.execute(
                "CREATE TABLE loose (id bigint, title text)",
                "CREATE UNIQUE INDEX ON loose (id)",
                "INSERT INTO loose SELECT g, 'row ' || g FROM generate_series(1, 20) g",
                "INSERT INTO loose VALUES (NULL, 'no id')");
        Path dir = FillFixtures.project(db, "loose", "\"id\", \"title\"", "table = \"loose\"", "uint", "");
        JobSpec spec = new JobSpec(dir.toString(), 0, "loose_slot", Map.of("loose", 1), false);
        long id = request("loose");
        JobID job = cluster.start("loose", spec, new FillRequest(id, "loose", 1, 5, false), 1, null);
        Fill done = awaitDone(id);
        cluster.cancel(job);
        assertThat(FillCluster.SEEN.get("loose")).hasSize(20);
        assertThat(done.rowsDone()).isEqualTo(21);
        List<Map<String, Object>> dlq =
                db.query("SELECT mapping, doc_id, error_kind, error_message FROM puffgres.dlq WHERE mapping = 'loose'");
        assertThat(dlq).hasSize(1);
        assertThat(dlq.get(0)).containsEntry("error_kind", "id").containsEntry("doc_id", "null");
    }
}
