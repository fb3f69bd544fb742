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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The initial fill of 200k rows with a random workload running from its start (inserts, updates, membership flips,
 * deletes, re-inserted ids, id changes, 30 changes a transaction), a restart in the middle of the fill, and a
 * transaction that updates rows before the fill reads them and commits only after: the namespace ends equal to the
 * member rows, and the open transaction's values win. Once with the streaming source, once with the poll source.
 */
class FillConvergenceIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final int ROWS = 200_000;
    private static final int OPERATIONS = 9_000;
    private static final Duration WAIT = Duration.ofMinutes(3);

    @ParameterizedTest(name = "poll: {0}")
    @ValueSource(booleans = {false, true})
    void aFillBesideARandomWorkloadAndALongTransactionEndsEqualToTheTable(boolean poll) throws Exception {
        String name = poll ? "fconvpoll" : "fconv";
        db.execute(
                "DROP TABLE IF EXISTS fconv",
                "CREATE TABLE fconv (id bigint PRIMARY KEY, grp int NOT NULL, title text, status text)",
                "INSERT INTO fconv SELECT g, g % 7, 'seed ' || g, CASE WHEN g % 3 = 0 THEN 'off' ELSE 'on' END"
                        + " FROM generate_series(1, " + ROWS + ") g");
        String member = "SELECT id, grp, status, title FROM fconv WHERE status = 'on' ORDER BY id";
        try (JobHarness h = new JobHarness(
                db,
                tpuf.baseUrl(),
                name,
                JobHarness.migration(
                        1,
                        name,
                        name,
                        "fconv",
                        "\"id\", \"grp\", \"title\", \"status\"",
                        "[membership]\nmode = \"dsl\"\npredicate = \"status = 'on'\""))) {
            JobRunner.Started job =
                    h.start(JobRunner.Options.defaults().withCreateSlot(true).withPoll(poll));
            AtomicInteger done = new AtomicInteger();
            CompletableFuture<Void> workload = CompletableFuture.runAsync(() -> run(done));
            try (Connection longTx = db.connect();
                    Statement s = longTx.createStatement()) {
                // written while the fill has not read these rows yet (the last chunk), committed after it has
                longTx.setAutoCommit(false);
                s.execute("UPDATE fconv SET title = 'long ' || id, status = 'on' WHERE id > " + (ROWS - 50));
                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(rowsDone(name)).isPositive());
                await().atMost(WAIT)
                        .untilAsserted(
                                () -> assertThat(JobRunner.latestCheckpoint(JobRunner.checkpointDir(h.project())))
                                        .isPresent());
                h.cancel(job); // in the middle of the fill
                job = h.start(JobRunner.Options.defaults().withPoll(poll));
                assertThat(job.restoredFrom())
                        .as("the restart restores a checkpoint")
                        .isPresent();
                // the fill goes on while the transaction is open, and reads its rows' old values
                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(String.valueOf(h.documents(name)
                                        .getOrDefault((long) ROWS - 1, Map.of())
                                        .get("title")))
                                .isEqualTo("seed " + (ROWS - 1)));
                longTx.commit();
            }
            workload.get(5, TimeUnit.MINUTES);
            assertThat(done.get()).isGreaterThanOrEqualTo(OPERATIONS);
            await().atMost(WAIT).untilAsserted(() -> {
                Map<Object, Map<String, Object>> docs = h.documents(name);
                docs.values().forEach(d -> d.remove("__source_lsn"));
                assertThat(docs.toString()).isEqualTo(h.rows(member).toString());
            });
            assertThat(String.valueOf(h.documents(name).get((long) ROWS - 1).get("title")))
                    .isEqualTo("long " + (ROWS - 1));
            await().atMost(WAIT)
                    .untilAsserted(
                            () -> assertThat(db.query("SELECT state FROM puffgres.fills WHERE mapping = '" + name + "'")
                                            .get(0)
                                            .get("state"))
                                    .isEqualTo("done"));
        }
    }

    private static long rowsDone(String mapping) {
        var rows = db.query("SELECT rows_done FROM puffgres.fills WHERE mapping = '" + mapping + "'");
        return rows.isEmpty() ? 0 : ((Number) rows.get(0).get("rows_done")).longValue();
    }

    /** Random changes over ids 1..ROWS+2000 (ids past ROWS are new), 30 a transaction, one every 25 ms at most. */
    private static void run(AtomicInteger done) {
        Random random = new Random(18);
        db.pacedWorkload(OPERATIONS, 30, 25, done, op -> {
            int id = 1 + random.nextInt(ROWS - 100 + 2000); // the long transaction's rows are left alone
            if (id > ROWS - 100) {
                id += 100;
            }
            return switch (random.nextInt(6)) {
                case 0 ->
                    "INSERT INTO fconv VALUES (" + id + ", " + random.nextInt(7) + ", 'new " + op + "', 'on')"
                            + " ON CONFLICT (id) DO UPDATE SET title = excluded.title";
                case 1 -> "UPDATE fconv SET title = 'upd " + op + "', grp = grp + 1 WHERE id = " + id;
                case 2 -> "UPDATE fconv SET status = CASE status WHEN 'on' THEN 'off' ELSE 'on' END WHERE id = " + id;
                case 3 -> "DELETE FROM fconv WHERE id = " + id;
                case 4 -> {
                    int to = ROWS + 2100 + random.nextInt(1000);
                    yield "UPDATE fconv SET id = " + to + " WHERE id = " + id
                            + " AND NOT EXISTS (SELECT 1 FROM fconv WHERE id = " + to + ")";
                }
                default -> "UPDATE fconv SET title = title || '+' WHERE id = " + id;
            };
        });
    }
}
