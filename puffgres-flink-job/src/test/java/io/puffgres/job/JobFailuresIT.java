package io.puffgres.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.client.TurbopufferException;
import io.puffgres.dlq.DlqSink;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.emulator.Faults.Fault;
import io.puffgres.testkit.PostgresDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Poison rows, --strict, TRUNCATE and turbopuffer fault storms, end to end. */
class JobFailuresIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final Duration WAIT = Duration.ofSeconds(90);

    /** Throws for title 'boom'; gives 'n' a number for title 'int' (the namespace has it as a string). */
    private static final String POISON_JS = String.join(
            "\n",
            "export function transform(row, ctx) {",
            "  if (row.title === 'boom') throw new Error('cannot transform ' + row.title);",
            "  return { title: row.title, n: row.title === 'int' ? 5 : 'text' };",
            "}",
            "");

    private JobHarness poisonProject(String name) throws Exception {
        db.execute("CREATE TABLE " + name + " (id bigint PRIMARY KEY, title text)");
        JobHarness h = new JobHarness(
                db,
                tpuf.baseUrl(),
                name,
                JobHarness.migration(
                        1,
                        name,
                        name,
                        name,
                        "\"id\", \"title\"",
                        "[transform]\nkind = \"js\"\npath = \"transforms/t.js\"\nentry = \"transform\""));
        Files.createDirectories(h.dir.resolve("puffgres/transforms"));
        Files.writeString(h.dir.resolve("puffgres/transforms/t.js"), POISON_JS);
        return h;
    }

    private List<String> dlq(String mapping) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT doc_id, error_kind, error_message FROM puffgres.dlq"
                        + " WHERE mapping = '" + mapping + "' ORDER BY lsn")) {
            while (rs.next()) {
                out.add(rs.getString(1) + " " + rs.getString(2) + ": " + rs.getString(3));
            }
        }
        return out;
    }

    @Test
    void poisonRowsGoToTheDlqOnceAndTheRestOfTheirBatchIsWritten() throws Exception {
        try (JobHarness h = poisonProject("poison")) {
            db.execute("INSERT INTO poison SELECT g, 'row ' || g FROM generate_series(1, 5) g");
            JobRunner.Started job = h.start(JobRunner.Options.defaults().withCreateSlot(true));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("poison")).hasSize(5));
            db.execute("BEGIN; INSERT INTO poison VALUES (6, 'boom'), (7, 'int'), (8, 'fine');"
                    + " UPDATE poison SET title = 'row 1 v2' WHERE id = 1; COMMIT");
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(h.documents("poison")).containsOnlyKeys(1L, 2L, 3L, 4L, 5L, 8L);
                assertThat(h.documents("poison").get(1L)).containsEntry("title", "row 1 v2");
                assertThat(dlq("poison")).hasSize(2);
            });
            assertThat(dlq("poison").get(0)).startsWith("6 transform: ").contains("cannot transform boom");
            assertThat(dlq("poison").get(1)).startsWith("7 rejected: turbopuffer rejected the write");

            // a restart from the retained checkpoint replays nothing into the DLQ twice
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(JobRunner.latestCheckpoint(JobRunner.checkpointDir(h.project())))
                            .isPresent());
            h.cancel(job);
            JobRunner.Started again = h.start(JobRunner.Options.defaults());
            assertThat(again.restoredFrom()).isPresent();
            db.execute("INSERT INTO poison VALUES (9, 'after restart')");
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("poison")).containsKey(9L));
            assertThat(dlq("poison")).hasSize(2);
        }
    }

    @Test
    void postgresInfinityGoesToTheDlqWithItsColumnWhetherFilledOrStreamed() throws Exception {
        db.execute(
                "CREATE TABLE dated (id bigint PRIMARY KEY, at timestamptz, d date, ts timestamp(3))",
                "INSERT INTO dated VALUES (1, 'infinity', '2024-05-01', NULL), (2, now(), now(), now())");
        try (JobHarness h = new JobHarness(
                db,
                tpuf.baseUrl(),
                "dated",
                JobHarness.migration(1, "dated", "dated", "dated", "\"id\", \"at\", \"d\", \"ts\"", ""))) {
            h.start(JobRunner.Options.defaults().withCreateSlot(true));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("dated")).containsOnlyKeys(2L));
            db.execute("INSERT INTO dated VALUES (3, '2024-05-01', '-infinity', NULL), (4, NULL, NULL, '-infinity'),"
                    + " (5, '9999-12-31 23:59:59+00', '0001-01-01', '2024-05-01')");
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("dated")).containsOnlyKeys(2L, 5L));
            await().atMost(WAIT).untilAsserted(() -> assertThat(dlq("dated")).hasSize(3));
            assertThat(dlq("dated"))
                    .satisfiesExactly(
                            e -> assertThat(e)
                                    .startsWith("1 type: ")
                                    .contains("column \"at\" (timestamptz): +1000000000-01-01T17:59:59"),
                            e -> assertThat(e)
                                    .startsWith("3 type: ")
                                    .contains("column \"d\" (date): -999999999-01-01T00:00:00Z"),
                            e -> assertThat(e)
                                    .startsWith("4 type: ")
                                    .contains("column \"ts\" (timestamp): -999999999-01-01T00:00:00Z is outside the"
                                            + " years 0000 to 9999 a turbopuffer datetime holds"));
        }
    }

    @Test
    void aTransformThatKeepsGrowingStateFailsItsTaskNamingTheMappingInsteadOfFillingTheDlqWithHeapErrors()
            throws Exception {
        db.execute(
                "CREATE TABLE leaky (id bigint PRIMARY KEY, title text)",
                "CREATE TABLE steady (id bigint PRIMARY KEY, title text)");
        try (JobHarness h = new JobHarness(
                db,
                tpuf.baseUrl(),
                "leaky",
                JobHarness.migration(
                        1,
                        "leaky",
                        "leaky",
                        "leaky",
                        "\"id\", \"title\"",
                        "[transform]\nkind = \"js\"\npath = \"transforms/leak.js\""),
                JobHarness.migration(2, "steady", "steady", "steady", "\"id\", \"title\"", ""))) {
            Files.createDirectories(h.dir.resolve("puffgres/transforms"));
            Files.writeString(h.dir.resolve("puffgres/transforms/leak.js"), """
                    const seen = [];
                    export function transform(row) {
                      seen.push('x'.repeat(1 << 18) + row.id); // 256 KiB kept per row, forever
                      return { title: row.title };
                    }
                    """);
            db.execute("INSERT INTO steady VALUES (1, 'one')");
            JobRunner.Started job = h.start( // with the REST API (port 0: a free one), for the exception history
                    new JobRunner.Options(Optional.empty(), true, Optional.empty(), false, "pgoutput", 0));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("steady")).containsOnlyKeys(1L));

            // 400 rows keep 100 MiB, past the 64 MiB limit; steady's row comes first in the same transaction
            db.execute("BEGIN; INSERT INTO steady VALUES (2, 'two');"
                    + " INSERT INTO leaky SELECT g, 'row ' || g FROM generate_series(1, 400) g; COMMIT");
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(JobHarness.lastFailure(job))
                            .contains("TransformMemoryException: mapping leaky: leak.js: the transform keeps more"
                                    + " than 64 MiB between calls"));
            // the heap the other mapping shares stays usable: it is written, and nothing went to the DLQ
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("steady")).containsOnlyKeys(1L, 2L));
            // (a first call of a restarted, cold context may still hit the 1 s call limit on a busy machine)
            assertThat(dlq("leaky")).noneMatch(e -> e.contains("heap") || e.contains(" memory: "));
            // how many leaky rows are written is timing: a checkpoint inside the 400-row transaction lets a restarted,
            // empty context take the rest without reaching the limit; what is written is right
            assertThat(h.documents("leaky"))
                    .allSatisfy((id, doc) -> assertThat(doc.get("title")).isEqualTo("row " + id));
        }
    }

    @Test
    void strictStopsTheJobAndTheSlotDoesNotPassThePoisonRow() throws Exception {
        try (JobHarness h = poisonProject("strict")) {
            db.execute("INSERT INTO strict VALUES (1, 'fine')");
            JobRunner.Started job =
                    h.start(JobRunner.Options.defaults().withCreateSlot(true).withStrict(true));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("strict")).hasSize(1));
            db.execute("INSERT INTO strict VALUES (2, 'boom')", "INSERT INTO strict VALUES (3, 'after')");

            Throwable failure = JobHarness.waitTerminal(job);
            assertThat(failure).isNotNull();
            assertThat(causes(failure)).anyMatch(t -> t instanceof DlqSink.StrictModeException);
            assertThat(dlq("strict")).singleElement().asString().startsWith("2 transform: ");
            assertThat(h.documents("strict")).containsOnlyKeys(1L);
            try (Connection c = db.connect();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT confirmed_flush_lsn < (SELECT lsn FROM puffgres.dlq"
                            + " WHERE mapping = 'strict') FROM pg_replication_slots WHERE slot_name = 'strict_slot'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBoolean(1))
                        .as("slot stays before the poison row")
                        .isTrue();
            }
        }
    }

    private static List<Throwable> causes(Throwable t) {
        List<Throwable> out = new ArrayList<>();
        for (Throwable c = t; c != null && !out.contains(c); c = c.getCause()) {
            out.add(c);
        }
        return out;
    }

    /** The pid of the walsender reading {@code slot}, once one does. */
    private int slotPid(String slot) throws Exception {
        int[] pid = new int[1];
        await().atMost(WAIT).untilAsserted(() -> {
            try (Connection c = db.connect();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(
                            "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
                assertThat(rs.next()).isTrue();
                pid[0] = rs.getInt(1);
                assertThat(pid[0]).isPositive();
            }
        });
        return pid[0];
    }

    /** Id → attribute → value, all as text, without {@code __source_lsn}. */
    private static Map<String, Map<String, String>> asText(Map<Object, Map<String, Object>> docs) {
        Map<String, Map<String, String>> out = new java.util.TreeMap<>();
        docs.forEach((id, attrs) -> {
            Map<String, String> text = new java.util.TreeMap<>();
            attrs.forEach((k, v) -> text.put(k, String.valueOf(v)));
            text.remove("__source_lsn");
            out.put(String.valueOf(id), text);
        });
        return out;
    }

    @Test
    void schemaChangesWhileStreamingKeepTheMirrorAndAMissingColumnGoesToTheDlq() throws Exception {
        db.execute(
                "CREATE TABLE altered (id bigint PRIMARY KEY, title text, n int)",
                "INSERT INTO altered VALUES (1, 'one', 1), (2, 'two', 2)");
        String member = "SELECT id, n, title FROM altered ORDER BY id";
        try (JobHarness h = new JobHarness(
                db,
                tpuf.baseUrl(),
                "altered",
                JobHarness.migration(1, "altered", "altered", "altered", "\"id\", \"title\", \"n\"", ""))) {
            h.start(JobRunner.Options.defaults().withCreateSlot(true));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("altered")).hasSize(2));

            db.execute(
                    "ALTER TABLE altered ADD COLUMN extra text DEFAULT 'e'", // a column no mapping lists
                    "INSERT INTO altered VALUES (3, 'three', 3, 'x')",
                    "UPDATE altered SET title = 'one v2' WHERE id = 1",
                    "ALTER TABLE altered ALTER COLUMN n TYPE bigint", // a listed column changes type
                    "UPDATE altered SET n = 5000000000 WHERE id = 2",
                    "ALTER TABLE altered DROP COLUMN extra",
                    "INSERT INTO altered VALUES (4, 'four', 4)");
            await().atMost(WAIT).untilAsserted(() -> {
                // compared as text: a small JSON number reads back as an Integer, a bigint column as a Long
                assertThat(asText(h.documents("altered"))).isEqualTo(asText(h.rows(member)));
            });

            // a listed column dropped: each change after it names the column in the DLQ, and the rest goes on
            db.execute(
                    "ALTER TABLE altered DROP COLUMN title",
                    "INSERT INTO altered VALUES (5, 5)",
                    "DELETE FROM altered WHERE id = 3");
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(dlq("altered"))
                        .singleElement()
                        .asString()
                        .startsWith("5 attribute: ")
                        .contains("column \"title\" is missing");
                assertThat(h.documents("altered")).containsOnlyKeys(1L, 2L, 4L);
            });
        }
    }

    @Test
    void aTerminatedReplicationConnectionIsResumedWithoutLoss() throws Exception {
        db.execute(
                "CREATE TABLE cut (id bigint PRIMARY KEY, title text)",
                "INSERT INTO cut SELECT g, 't' || g FROM generate_series(1, 10) g");
        try (JobHarness h = JobHarness.titles(db, tpuf.baseUrl(), "cut")) {
            h.start(JobRunner.Options.defaults().withCreateSlot(true));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("cut")).hasSize(10));
            db.execute("INSERT INTO cut VALUES (11, 'streamed')");
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("cut")).hasSize(11));

            // Postgres ends the walsender (as a failover or an operator's pg_terminate_backend would)
            int walsender = slotPid("cut_slot");
            db.execute("SELECT pg_terminate_backend(" + walsender + ")");
            db.execute(
                    "INSERT INTO cut SELECT g, 'after ' || g FROM generate_series(12, 40) g",
                    "UPDATE cut SET title = 'changed' WHERE id = 1",
                    "DELETE FROM cut WHERE id = 2");
            await().atMost(WAIT).untilAsserted(() -> {
                Map<Object, Map<String, Object>> docs = h.documents("cut");
                assertThat(docs).hasSize(39).doesNotContainKey(2L);
                assertThat(docs.get(1L)).containsEntry("title", "changed");
                assertThat(docs.get(40L)).containsEntry("title", "after 40");
            });
            assertThat(slotPid("cut_slot")).as("the job reads the slot again").isNotEqualTo(walsender);
            assertThat(dlq("cut")).isEmpty();
        }
    }

    @Test
    void truncateDeletesTheMappingsDocuments() throws Exception {
        db.execute(
                "CREATE TABLE trunc (id bigint PRIMARY KEY, title text)",
                "INSERT INTO trunc SELECT g, 't' || g FROM generate_series(1, 20) g");
        try (JobHarness h = JobHarness.titles(db, tpuf.baseUrl(), "trunc")) {
            h.start(JobRunner.Options.defaults().withCreateSlot(true));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("trunc")).hasSize(20));
            db.execute("TRUNCATE trunc", "INSERT INTO trunc VALUES (100, 'after')");
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("trunc")).containsOnlyKeys(100L));
        }
    }

    @Test
    void truncateReachesEveryWriterSubtaskAtParallelismTwo() throws Exception {
        db.execute("CREATE TABLE trunc2 (id bigint PRIMARY KEY, title text)");
        try (JobHarness h = new JobHarness(
                db,
                tpuf.baseUrl(),
                "trunc2",
                // rows wait in the writers' buffers until a checkpoint (every 500 ms) or the TRUNCATE flushes them
                JobHarness.migration(1, "trunc2", "trunc2", "trunc2", "\"id\", \"title\"", "")
                        .replace("flush_interval_ms = 50", "flush_interval_ms = 600000"))) {
            Path toml = h.dir.resolve("puffgres.toml");
            Files.writeString(toml, Files.readString(toml) + "parallelism = 2\n");
            h.start(JobRunner.Options.defaults().withCreateSlot(true));
            db.execute("INSERT INTO trunc2 VALUES (0, 'first')");
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("trunc2")).containsOnlyKeys(0L));
            db.execute(
                    "INSERT INTO trunc2 SELECT g, 't' || g FROM generate_series(1, 40) g",
                    "TRUNCATE trunc2",
                    "INSERT INTO trunc2 VALUES (100, 'after')");
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("trunc2")).containsKey(100L));
            // a checkpoint triggered from now on has its barrier behind every change above, on both subtasks
            long seen = checkpointNumber(h);
            await().atMost(WAIT).until(() -> checkpointNumber(h) >= seen + 2);
            assertThat(h.documents("trunc2")).containsOnlyKeys(100L);
        }
    }

    /** The number of the newest retained checkpoint ({@code chk-N}), 0 before the first. */
    private static long checkpointNumber(JobHarness h) throws Exception {
        return JobRunner.latestCheckpoint(JobRunner.checkpointDir(h.project()))
                .map(p -> Long.parseLong(p.getFileName().toString().substring("chk-".length())))
                .orElse(0L);
    }

    @Test
    void faultStormsLoseNothingAndDlqNothing() throws Exception {
        db.execute(
                "CREATE TABLE storm (id bigint PRIMARY KEY, title text, n int)",
                "INSERT INTO storm VALUES (1000, 'seed', 0)");
        try (JobHarness h = new JobHarness(
                db,
                tpuf.baseUrl(),
                "storm",
                JobHarness.migration(
                        1, "storm", "storm", "storm", "\"id\", \"title\", \"n\"", "batch_max_rows = 20"))) {
            h.start(JobRunner.Options.defaults().withCreateSlot(true));
            // the snapshot first: the storm meets the 600 changes as they stream, one transaction each
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("storm")).containsKey(1000L));
            tpuf.emulator()
                    .faults()
                    .rate(Fault.throttle(1), 0.05)
                    .rate(Fault.status(500), 0.1)
                    .rate(Fault.status(503), 0.1)
                    .rate(Fault.latency(200), 0.1)
                    .rate(Fault.dropConnection(), 0.1);
            Random random = new Random(42);
            List<String> sql = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                int id = random.nextInt(150);
                switch (random.nextInt(3)) {
                    case 0 ->
                        sql.add("INSERT INTO storm VALUES (" + id + ", 't" + i + "', " + i
                                + ") ON CONFLICT (id) DO UPDATE SET title = excluded.title, n = excluded.n");
                    case 1 -> sql.add("UPDATE storm SET n = n + 1 WHERE id = " + id);
                    default -> sql.add("DELETE FROM storm WHERE id = " + id);
                }
            }
            db.execute(sql.toArray(String[]::new));
            String expected = "SELECT id, n, title FROM storm ORDER BY id";
            // the test's own queries meet the storm too: one that gives up is asked again
            await().atMost(Duration.ofMinutes(3))
                    .ignoreException(TurbopufferException.class)
                    .untilAsserted(() -> {
                        Map<Object, Map<String, Object>> docs = h.documents("storm");
                        docs.values().forEach(d -> d.remove("__source_lsn"));
                        assertThat(docs.toString()).isEqualTo(h.rows(expected).toString());
                    });
            assertThat(tpuf.emulator().faults().injected())
                    .as("faults injected (emulator: %s)", tpuf.emulator().stats())
                    .isNotEmpty();
            assertThat(dlq("storm")).isEmpty();
            tpuf.emulator().faults().clear();
        }
    }
}
