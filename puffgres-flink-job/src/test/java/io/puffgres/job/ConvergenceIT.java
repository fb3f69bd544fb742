package io.puffgres.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.emulator.Faults.Fault;
import io.puffgres.testkit.PostgresDatabase;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A randomized workload of inserts, updates, deletes, membership flips and id changes, streamed while the job is
 * cancelled and restarted from its retained checkpoint twice, and while turbopuffer fails one write in five; afterwards
 * the namespace equals the member rows exactly. Once with the streaming source, once with the poll source. Every row has a {@code body} stored out of line, which most updates leave unchanged: the WAL then leaves
 * it out, and the lookup stage fills it in from Postgres (in order with the changes around it, across restarts).
 */
class ConvergenceIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final int OPERATIONS = 12_000;
    private static final int PER_TRANSACTION = 40;
    private static final long PACE_MS = 50;

    @ParameterizedTest(name = "poll: {0}")
    @ValueSource(booleans = {false, true})
    void namespaceConvergesToTheMemberRowsAcrossRestarts(boolean poll) throws Exception {
        String conv = poll ? "convpoll" : "conv";
        db.execute(
                "DROP TABLE IF EXISTS conv",
                "CREATE TABLE conv (id bigint PRIMARY KEY, grp int NOT NULL, title text, status text, body text)",
                // out of line and uncompressed: an UPDATE that leaves it alone leaves it out of the WAL
                "ALTER TABLE conv ALTER COLUMN body SET STORAGE EXTERNAL",
                "INSERT INTO conv SELECT g, g % 7, 'seed ' || g, CASE WHEN g % 3 = 0 THEN 'off' ELSE 'on' END, " + BODY
                        + " FROM generate_series(1, 500) g");
        Object toastBytes = db.query(
                        "SELECT pg_relation_size(reltoastrelid) AS size FROM pg_class WHERE oid = 'conv'::regclass")
                .get(0)
                .get("size");
        assertThat(((Number) toastBytes).longValue())
                .as("the bodies are in the TOAST table")
                .isGreaterThanOrEqualTo(500 * 3200L);
        String member = "SELECT id, body, grp, status, title FROM conv WHERE status = 'on' ORDER BY id";
        try (JobHarness h = new JobHarness(
                db,
                tpuf.baseUrl(),
                conv,
                JobHarness.migration(
                        1,
                        conv,
                        conv,
                        "conv",
                        "\"id\", \"grp\", \"title\", \"status\", \"body\"",
                        "batch_max_rows = 200\n[membership]\nmode = \"dsl\"\npredicate = \"status = 'on'\""))) {
            JobRunner.Started job =
                    h.start(JobRunner.Options.defaults().withCreateSlot(true).withPoll(poll));
            // the snapshot first, so that every change of the workload is streamed
            await().atMost(Duration.ofMinutes(1))
                    .untilAsserted(() -> assertThat(h.documents(conv)).hasSameSizeAs(h.rows(member)));
            // a storm of failed writes the whole way: every one is retried, none is lost or sent twice out of order
            tpuf.emulator()
                    .faults()
                    .rate(Fault.status(500), 0.1)
                    .rate(Fault.status(503), 0.05)
                    .rate(Fault.dropConnection(), 0.05);
            // the source asked for reads the slot: the poll source through its copy, the stream over replication
            String reader = poll
                    ? "SELECT 1 FROM pg_replication_slots WHERE slot_name = '" + conv + "_slot_poll'"
                    : "SELECT 1 FROM pg_replication_slots WHERE slot_name = '" + conv + "_slot' AND active";
            await().atMost(Duration.ofMinutes(1)).until(() -> !db.query(reader).isEmpty());
            AtomicInteger done = new AtomicInteger();
            CompletableFuture<Void> workload = CompletableFuture.runAsync(() -> run(done));
            int restarts = 0;
            Optional<Path> restored = Optional.empty();
            for (int threshold : new int[] {OPERATIONS / 3, 2 * OPERATIONS / 3}) {
                await().atMost(Duration.ofMinutes(2))
                        .untilAsserted(() -> assertThat(done.get()).isGreaterThanOrEqualTo(threshold));
                Optional<Path> before = restored;
                await().atMost(Duration.ofMinutes(1))
                        .untilAsserted(
                                () -> assertThat(JobRunner.latestCheckpoint(JobRunner.checkpointDir(h.project())))
                                        .as("a checkpoint of this run")
                                        .isPresent()
                                        .isNotEqualTo(before));
                assertThat(workload)
                        .as("restart %d comes while the workload runs", restarts)
                        .isNotDone();
                h.cancel(job);
                job = h.start(JobRunner.Options.defaults().withPoll(poll));
                assertThat(job.restoredFrom())
                        .as("restart %d restores a checkpoint", restarts)
                        .isPresent();
                restored = job.restoredFrom().map(uri -> Path.of(URI.create(uri)));
                restarts++;
            }
            workload.get(5, TimeUnit.MINUTES);
            assertThat(done.get()).isGreaterThanOrEqualTo(OPERATIONS);
            assertThat(restarts).isEqualTo(2);
            assertThat(tpuf.emulator().faults().injected()).isNotEmpty();
            tpuf.emulator().faults().clear();
            await().atMost(Duration.ofMinutes(3)).untilAsserted(() -> {
                Map<Object, Map<String, Object>> docs = h.documents(conv);
                docs.values().forEach(d -> d.remove("__source_lsn"));
                assertThat(docs.toString()).isEqualTo(h.rows(member).toString());
            });
        }
    }

    /** A body of 3,200 characters made from {@code g}: over the 2 kB past which Postgres stores it out of line. */
    private static final String BODY = "repeat(md5(g::text), 100)";

    /**
     * Random single-row changes over ids 1..1500, {@link #PER_TRANSACTION} per transaction, a transaction every
     * {@link #PACE_MS} ms at most (≈ 800 changes/s), so that the job restarts in the middle of them.
     */
    private static void run(AtomicInteger done) {
        Random random = new Random(7);
        db.pacedWorkload(OPERATIONS, PER_TRANSACTION, PACE_MS, done, op -> {
            int id = 1 + random.nextInt(1500);
            return switch (random.nextInt(6)) {
                case 0 ->
                    "INSERT INTO conv SELECT " + id + ", " + random.nextInt(7) + ", 'new " + op + "', 'on', " + BODY
                            + " FROM (SELECT " + op + " g) o ON CONFLICT (id) DO UPDATE SET title = excluded.title";
                case 1 -> "UPDATE conv SET title = 'upd " + op + "', grp = grp + 1 WHERE id = " + id;
                case 2 -> "UPDATE conv SET status = CASE status WHEN 'on' THEN 'off' ELSE 'on' END WHERE id = " + id;
                case 3 -> "DELETE FROM conv WHERE id = " + id;
                case 4 -> {
                    int to = 1 + random.nextInt(1500);
                    yield "UPDATE conv SET id = " + to + " WHERE id = " + id
                            + " AND NOT EXISTS (SELECT 1 FROM conv WHERE id = " + to + ")";
                }
                default -> "UPDATE conv SET title = title || '+' WHERE id = " + id;
            };
        });
    }
}
