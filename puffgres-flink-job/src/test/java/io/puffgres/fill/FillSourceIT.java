package io.puffgres.fill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.WriteRequest;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import io.puffgres.emulator.EmulatorExtension;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fill source in a MiniCluster: every row once at parallelism 2; a restore reads only unfinished chunks. A fill
 * that sweeps, against the emulator: after the rows, each page of the namespace's ids is checked against the table and
 * every id without a member row is emitted once as absent; a restore mid-sweep reads only the pages not finished.
 */
class FillSourceIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int ROWS = 50_000;
    private static final int CHUNK_ROWS = 1_000;
    private static final int PAGE_SIZE = NamespaceIds.PAGE_SIZE;

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
                            () -> whole(firstSeen, CHUNK_ROWS),
                            whole -> whole != null && fill(id).chunksDone() == whole.size());
            assertThat(finished.size()).isBetween(10, ROWS / CHUNK_ROWS - 1);
            savepoint = cluster.savepoint(first, Files.createTempDirectory("fill-savepoint"));
            holder.rollback();
        }
        cluster.cancel(first);

        JobID second = cluster.start("second", spec, request, 2, savepoint);
        Fill done = awaitDone(id);
        cluster.cancel(second);
        Map<Integer, Integer> readAgain = perGroup(FillCluster.SEEN.get("second"), CHUNK_ROWS);
        assertThat(readAgain.keySet()).doesNotContainAnyElementsOf(finished);
        Set<Integer> all = new HashSet<>(readAgain.keySet());
        all.addAll(finished);
        assertThat(all).hasSize(ROWS / CHUNK_ROWS);
        assertThat(readAgain.values()).allMatch(rows -> rows == CHUNK_ROWS);
        assertThat(FillCluster.SEEN.get("second").values()).allMatch(n -> n.get() == 1);
        assertThat(done.rowsDone()).isEqualTo(ROWS);
        assertThat(done.chunksDone()).isEqualTo(ROWS / CHUNK_ROWS);
    }

    /** Group index → ids seen of it, ids 1.. in groups of {@code size} (rows of a chunk, ids of a sweep page). */
    private static Map<Integer, Integer> perGroup(Map<String, AtomicInteger> seen, int size) {
        Map<Integer, Integer> ids = new HashMap<>();
        seen.forEach((id, n) -> ids.merge((int) ((Long.parseLong(id) - 1) / size), n.get(), Integer::sum));
        return ids;
    }

    /** The groups of {@code size} ids seen whole, or null while some group is seen in part. */
    private static Set<Integer> whole(Map<String, AtomicInteger> seen, int size) {
        Map<Integer, Integer> ids = perGroup(seen, size);
        return ids.values().stream().allMatch(n -> n == size) ? new HashSet<>(ids.keySet()) : null;
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

    /** A project of table {@code name} (rows with status 'on' are members) and a repair fill requested. */
    private FillRequest repair(String name) throws Exception {
        try (Connection c = db.connect()) {
            ledger.ensure(c);
            long id = ledger.request(c, name, 1, name, FillLedger.Reason.REPAIR);
            return new FillRequest(id, name, 1, 1_000, true);
        }
    }

    private JobSpec spec(String name) throws Exception {
        Path dir = FillFixtures.project(
                db,
                tpuf.baseUrl(),
                name,
                "\"id\", \"title\", \"status\"",
                "table = \"" + name + "\"",
                "uint",
                "[membership]\nmode = \"dsl\"\npredicate = \"status = 'on'\"");
        return new JobSpec(dir.toString(), 0, name + "_slot", Map.of(name, 1), false);
    }

    /** Documents with ids {@code 1..count} in namespace {@code namespace}, as an earlier writer left them. */
    private static void documents(String namespace, long count) {
        try (TurbopufferClient client = new TurbopufferClient(
                tpuf.baseUrl(), Optional.empty(), ErrorPolicy.defaults(), Duration.ofSeconds(30))) {
            for (long from = 1; from <= count; from += 1_000) {
                WriteRequest.Builder batch = WriteRequest.builder();
                for (long id = from; id < from + 1_000 && id <= count; id++) {
                    batch.upsert(new Document(new DocId.Uint(id), Map.of("title", "stale")));
                }
                client.write(namespace, batch.build());
            }
        }
    }

    private static Set<String> ids(LongStream ids) {
        return ids.mapToObj(Long::toString).collect(Collectors.toSet());
    }

    @Test
    void eachIdWithoutAMemberRowIsFoundAbsentOnceAndMembersAreReadAsRows() throws Exception {
        db.execute(
                "CREATE TABLE swept (id bigint PRIMARY KEY, title text, status text)",
                "INSERT INTO swept SELECT g, 'row ' || g, CASE WHEN g % 10 = 0 THEN 'off' ELSE 'on' END"
                        + " FROM generate_series(1, 3000) g");
        documents("swept", 6_000); // ids 3001..6000 have no row; every tenth row is no member
        FillRequest request = repair("swept");
        JobID job = cluster.start("swept", spec("swept"), request, 2, null);
        Fill done = awaitDone(request.fillId());
        cluster.cancel(job);

        Set<String> absent = new HashSet<>(ids(LongStream.rangeClosed(3_001, 6_000)));
        absent.addAll(ids(LongStream.rangeClosed(1, 300).map(n -> n * 10)));
        assertThat(FillCluster.ABSENT.get("swept").keySet()).isEqualTo(absent);
        assertThat(FillCluster.ABSENT.get("swept").values()).allMatch(n -> n.get() == 1);
        assertThat(FillCluster.SEEN.get("swept")).hasSize(2_700);
        assertThat(done.rowsDone()).isEqualTo(2_700);
        // 3 ranges; 6 full pages of ids and the empty one that ends the sweep
        assertThat(done.chunksDone()).isEqualTo(3 + 7);
        assertThat(done.cursor()).contains("done");
    }

    /**
     * The sweep is held mid-way (an exclusive lock on the table stops each page's query until released); once every
     * page read so far is reported, a savepoint is taken and the job cancelled. Restored from it, the sweep reads
     * exactly the pages that were not finished, and the ledger ends done.
     */
    @Test
    void aRestoreMidSweepReadsOnlyThePagesNotFinishedInItsCheckpoint() throws Exception {
        int pages = 20;
        db.execute("CREATE TABLE resweep (id bigint PRIMARY KEY, title text, status text)");
        documents("resweep", (long) pages * PAGE_SIZE); // the table is empty: every id is absent
        FillRequest request = repair("resweep");
        JobSpec spec = spec("resweep");
        JobID first = cluster.start("sweep-1", spec, request, 2, null);
        Map<String, AtomicInteger> firstAbsent = FillCluster.ABSENT.get("sweep-1");
        await().atMost(WAIT).until(() -> firstAbsent.size() >= 5 * PAGE_SIZE);
        Set<Integer> finished;
        Path savepoint;
        try (Connection holder = db.connect()) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("LOCK TABLE resweep IN ACCESS EXCLUSIVE MODE");
            }
            // quiet: every page in the sink is whole, and the enumerator counts exactly those (and the one range)
            finished = await().atMost(WAIT)
                    .until(
                            () -> whole(firstAbsent, PAGE_SIZE),
                            whole -> whole != null && fill(request.fillId()).chunksDone() == 1 + whole.size());
            assertThat(finished.size()).isBetween(5, pages - 1);
            savepoint = cluster.savepoint(first, Files.createTempDirectory("sweep-savepoint"));
            holder.rollback();
        }
        cluster.cancel(first);

        JobID second = cluster.start("sweep-2", spec, request, 2, savepoint);
        Fill done = awaitDone(request.fillId());
        cluster.cancel(second);
        Map<String, AtomicInteger> secondAbsent = FillCluster.ABSENT.get("sweep-2");
        Map<Integer, Integer> readAgain = perGroup(secondAbsent, PAGE_SIZE);
        assertThat(readAgain.keySet()).doesNotContainAnyElementsOf(finished);
        Set<Integer> all = new HashSet<>(readAgain.keySet());
        all.addAll(finished);
        assertThat(all).hasSize(pages);
        assertThat(readAgain.values()).allMatch(ids -> ids == PAGE_SIZE);
        assertThat(secondAbsent.values()).allMatch(n -> n.get() == 1);
        assertThat(done.chunksDone()).isEqualTo(1 + pages + 1);
    }
}
