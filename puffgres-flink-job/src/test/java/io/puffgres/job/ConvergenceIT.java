package io.puffgres.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A randomized workload of inserts, updates, deletes, membership flips and id changes while the job is cancelled and
 * restarted from its retained checkpoint twice; afterwards the namespace equals the member rows exactly.
 */
class ConvergenceIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final int OPERATIONS = 12_000;
    private static final int PER_TRANSACTION = 40;

    @Test
    void namespaceConvergesToTheMemberRowsAcrossRestarts() throws Exception {
        db.execute(
                "CREATE TABLE conv (id bigint PRIMARY KEY, grp int NOT NULL, title text, status text)",
                "INSERT INTO conv SELECT g, g % 7, 'seed ' || g, CASE WHEN g % 3 = 0 THEN 'off' ELSE 'on' END"
                        + " FROM generate_series(1, 500) g");
        String member = "SELECT id, grp, status, title FROM conv WHERE status = 'on' ORDER BY id";
        try (JobHarness h = new JobHarness(
                db,
                tpuf.baseUrl(),
                "conv",
                JobHarness.migration(
                        1,
                        "conv",
                        "conv",
                        "conv",
                        "\"id\", \"grp\", \"title\", \"status\"",
                        "batch_max_rows = 200\n[membership]\nmode = \"dsl\"\npredicate = \"status = 'on'\""))) {
            JobRunner.Started job = h.start(JobRunner.Options.defaults().withCreateSlot(true));
            AtomicInteger done = new AtomicInteger();
            CompletableFuture<Void> workload = CompletableFuture.runAsync(() -> run(done));
            int restarts = 0;
            for (int threshold : new int[] {OPERATIONS / 3, 2 * OPERATIONS / 3}) {
                await().atMost(Duration.ofMinutes(2))
                        .untilAsserted(() -> assertThat(done.get()).isGreaterThanOrEqualTo(threshold));
                await().atMost(Duration.ofMinutes(1))
                        .untilAsserted(
                                () -> assertThat(JobRunner.latestCheckpoint(JobRunner.checkpointDir(h.project())))
                                        .isPresent());
                h.cancel(job);
                job = h.start(JobRunner.Options.defaults());
                assertThat(job.restoredFrom())
                        .as("restart %d restores a checkpoint", restarts)
                        .isPresent();
                restarts++;
            }
            workload.get(5, TimeUnit.MINUTES);
            assertThat(done.get()).isGreaterThanOrEqualTo(OPERATIONS);
            assertThat(restarts).isEqualTo(2);
            await().atMost(Duration.ofMinutes(3)).untilAsserted(() -> {
                Map<Object, Map<String, Object>> docs = h.documents("conv");
                docs.values().forEach(d -> d.remove("__source_lsn"));
                assertThat(docs.toString()).isEqualTo(h.rows(member).toString());
            });
        }
    }

    /** Random single-row changes over ids 1..1500, {@link #PER_TRANSACTION} per transaction. */
    private static void run(AtomicInteger done) {
        Random random = new Random(7);
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            while (done.get() < OPERATIONS) {
                for (int i = 0; i < PER_TRANSACTION; i++) {
                    int id = 1 + random.nextInt(1500);
                    int op = done.get() + i;
                    s.addBatch(
                            switch (random.nextInt(6)) {
                                case 0 ->
                                    "INSERT INTO conv VALUES (" + id + ", " + random.nextInt(7) + ", 'new " + op
                                            + "', 'on') ON CONFLICT (id) DO UPDATE SET title = excluded.title";
                                case 1 -> "UPDATE conv SET title = 'upd " + op + "', grp = grp + 1 WHERE id = " + id;
                                case 2 ->
                                    "UPDATE conv SET status = CASE status WHEN 'on' THEN 'off' ELSE 'on' END WHERE id = "
                                            + id;
                                case 3 -> "DELETE FROM conv WHERE id = " + id;
                                case 4 -> {
                                    int to = 1 + random.nextInt(1500);
                                    yield "UPDATE conv SET id = " + to + " WHERE id = " + id
                                            + " AND NOT EXISTS (SELECT 1 FROM conv WHERE id = " + to + ")";
                                }
                                default -> "UPDATE conv SET title = title || '+' WHERE id = " + id;
                            });
                }
                s.executeBatch();
                c.commit();
                done.addAndGet(PER_TRANSACTION);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
