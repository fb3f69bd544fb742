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
 * A fill that sweeps, in a MiniCluster against the emulator: after the rows, each page of the namespace's ids is
 * checked against the table, and every id without a member row is emitted once as absent; a restore mid-sweep reads
 * only the pages not finished in its checkpoint.
 */
class SweepSourceIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int PAGE = NamespaceIds.PAGE_SIZE;

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
        documents("resweep", (long) pages * PAGE); // the table is empty: every id is absent
        FillRequest request = repair("resweep");
        JobSpec spec = spec("resweep");
        JobID first = cluster.start("sweep-1", spec, request, 2, null);
        Map<String, AtomicInteger> firstAbsent = FillCluster.ABSENT.get("sweep-1");
        await().atMost(WAIT).until(() -> firstAbsent.size() >= 5 * PAGE);
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
                            () -> wholePages(firstAbsent),
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
        Map<Integer, Integer> readAgain = idsPerPage(secondAbsent);
        assertThat(readAgain.keySet()).doesNotContainAnyElementsOf(finished);
        Set<Integer> all = new HashSet<>(readAgain.keySet());
        all.addAll(finished);
        assertThat(all).hasSize(pages);
        assertThat(readAgain.values()).allMatch(ids -> ids == PAGE);
        assertThat(secondAbsent.values()).allMatch(n -> n.get() == 1);
        assertThat(done.chunksDone()).isEqualTo(1 + pages + 1);
    }

    /** Page index → ids found absent of it (ids 1.., PAGE to a page). */
    private static Map<Integer, Integer> idsPerPage(Map<String, AtomicInteger> absent) {
        Map<Integer, Integer> ids = new HashMap<>();
        absent.forEach((id, n) -> ids.merge((int) ((Long.parseLong(id) - 1) / PAGE), n.get(), Integer::sum));
        return ids;
    }

    /** The pages seen whole, or null while some page is seen in part. */
    private static Set<Integer> wholePages(Map<String, AtomicInteger> absent) {
        Map<Integer, Integer> ids = idsPerPage(absent);
        return ids.values().stream().allMatch(n -> n == PAGE) ? new HashSet<>(ids.keySet()) : null;
    }
}
