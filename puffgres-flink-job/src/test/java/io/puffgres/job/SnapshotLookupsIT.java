package io.puffgres.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The path of issue 15's stall, end to end: the initial snapshot of a table whose rows keep a large body out of
 * line, with a workload of single-row changes (most leave the body out of the WAL, so the lookup stage fills it in;
 * membership flips, deletes, re-inserted ids) running from the moment the job starts, through the snapshot's
 * chunks and into streaming. The snapshot's rows rarely need a lookup and the workload's often do, so the stage
 * keeps switching between passing changes straight on and holding them behind lookups. The job must finish with
 * the namespace equal to the member rows (bodies compared by digest).
 */
class SnapshotLookupsIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    /** Over Flink CDC's chunk of 8,096 rows: the snapshot reads several chunks while the workload runs. */
    private static final int ROWS = 20_000;

    private static final int CHANGES = 6_000;
    private static final int PER_TRANSACTION = 20;

    /**
     * A transaction every 30 ms at most: the 300 of them span about 9 s, from before the snapshot's first chunk is
     * read (the job takes seconds to start) to after its last.
     */
    private static final long PACE_MS = 30;

    /** 2,240 characters: over the 2 kB past which Postgres stores a value out of line. */
    private static final String BODY = "repeat(md5(g::text), 70)";

    @Test
    void snapshotWithChangesNeedingLookupsConvergesToTheMemberRows() throws Exception {
        db.execute(
                "CREATE TABLE snap (id bigint PRIMARY KEY, title text, status text, body text)",
                "ALTER TABLE snap ALTER COLUMN body SET STORAGE EXTERNAL",
                "INSERT INTO snap SELECT g, 'seed ' || g, CASE WHEN g % 3 = 0 THEN 'off' ELSE 'on' END, " + BODY
                        + " FROM generate_series(1, " + ROWS + ") g");
        String member = "SELECT id, title, status, body FROM snap WHERE status = 'on' ORDER BY id";
        try (JobHarness h = new JobHarness(
                db,
                tpuf.baseUrl(),
                "snap",
                JobHarness.migration(
                        1,
                        "snap",
                        "snap",
                        "snap",
                        "\"id\", \"title\", \"status\", \"body\"",
                        "[membership]\nmode = \"dsl\"\npredicate = \"status = 'on'\""))) {
            AtomicInteger done = new AtomicInteger();
            h.start(JobRunner.Options.defaults().withCreateSlot(true));
            CompletableFuture<Void> workload = CompletableFuture.runAsync(() -> run(done));
            workload.get(5, TimeUnit.MINUTES);
            assertThat(done.get()).isGreaterThanOrEqualTo(CHANGES);
            await().atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(
                            () -> assertThat(digested(h.documents("snap"))).isEqualTo(digested(h.rows(member))));
        }
    }

    /** Documents or rows with the body replaced by its digest (and without the LSN stamp): small to compare. */
    private static Map<Object, String> digested(Map<Object, Map<String, Object>> byId) throws Exception {
        Map<Object, String> out = new TreeMap<>((a, b) -> String.valueOf(a).compareTo(String.valueOf(b)));
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        for (var e : byId.entrySet()) {
            Map<String, Object> row = new TreeMap<>(e.getValue());
            row.remove("__source_lsn");
            Object body = row.get("body");
            if (body != null) {
                row.put(
                        "body",
                        new BigInteger(1, md5.digest(body.toString().getBytes(StandardCharsets.UTF_8))).toString(16));
            }
            out.put(e.getKey(), row.toString());
        }
        return out;
    }

    /** Seeded single-row changes, {@link #PER_TRANSACTION} to a transaction, one every {@link #PACE_MS}. */
    private static void run(AtomicInteger done) {
        Random random = new Random(15);
        db.pacedWorkload(CHANGES, PER_TRANSACTION, PACE_MS, done, op -> {
            int id = 1 + random.nextInt(ROWS);
            int kind = random.nextInt(10);
            return kind < 5
                    ? "UPDATE snap SET title = 'upd " + op + "' WHERE id = " + id
                    : kind < 8
                            ? "UPDATE snap SET status = CASE status WHEN 'on' THEN 'off' ELSE 'on' END WHERE id = " + id
                            : kind < 9
                                    ? "DELETE FROM snap WHERE id = " + id
                                    : "INSERT INTO snap SELECT " + id + ", 'new " + op + "', 'on', " + BODY
                                            + " FROM (SELECT " + op + " g) o"
                                            + " ON CONFLICT (id) DO UPDATE SET title = excluded.title";
        });
    }
}
