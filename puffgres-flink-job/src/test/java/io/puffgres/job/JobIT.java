package io.puffgres.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.source.ReplicationSetup;
import io.puffgres.testkit.PostgresDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole job — real Postgres logical decoding, a MiniCluster, the emulator over HTTP — on one mapping. */
class JobIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final Duration WAIT = Duration.ofSeconds(90);

    /** The member rows as the identity transform maps them: id → {body, status, title}. */
    private static Map<Object, Map<String, Object>> withoutLsn(Map<Object, Map<String, Object>> docs) {
        Map<Object, Map<String, Object>> out =
                new TreeMap<>((a, b) -> String.valueOf(a).compareTo(String.valueOf(b)));
        docs.forEach((id, attrs) -> {
            Map<String, Object> copy = new TreeMap<>(attrs);
            copy.remove("__source_lsn");
            out.put(id, copy);
        });
        return out;
    }

    @Test
    void mirrorsInsertsUpdatesDeletesMembershipIdChangesAndUnchangedToast() throws Exception {
        db.execute(
                "CREATE TABLE pages (id bigint PRIMARY KEY, title text, status text, body text)",
                "INSERT INTO pages VALUES (1, 'one', 'published', 'b1'), (2, 'two', 'published', 'b2'),"
                        + " (3, 'three', 'draft', 'b3')");
        String member = "SELECT id, body, status, title FROM pages WHERE status = 'published' ORDER BY id";
        try (JobHarness h = new JobHarness(
                db,
                tpuf.baseUrl(),
                "mirror",
                JobHarness.migration(
                        1,
                        "pages",
                        "pages",
                        "pages",
                        "\"id\", \"title\", \"status\", \"body\"",
                        "[membership]\nmode = \"dsl\"\npredicate = \"status = 'published'\""))) {
            h.start(JobRunner.Options.defaults().withCreateSlot(true));
            await().atMost(WAIT)
                    .untilAsserted(
                            () -> assertThat(withoutLsn(h.documents("pages"))).isEqualTo(h.rows(member)));

            String big = "x".repeat(10) + java.util.UUID.randomUUID() + "y".repeat(4000);
            db.execute(
                    "INSERT INTO pages VALUES (4, 'four', 'published', 'b4')",
                    "UPDATE pages SET title = 'one v2' WHERE id = 1",
                    "UPDATE pages SET status = 'draft' WHERE id = 2", // leaves the set
                    "UPDATE pages SET status = 'published' WHERE id = 3", // joins it
                    "DELETE FROM pages WHERE id = 4",
                    "UPDATE pages SET id = 10 WHERE id = 1", // id change: 1 goes, 10 comes
                    "BEGIN; INSERT INTO pages VALUES (20, 'a', 'published', 'b'); UPDATE pages SET title = 'b'"
                            + " WHERE id = 20; UPDATE pages SET title = 'c' WHERE id = 20; COMMIT",
                    // a random 4 kB value is stored out of line (TOAST) and left out of the WAL when unchanged
                    "ALTER TABLE pages ALTER COLUMN body SET STORAGE EXTERNAL",
                    "INSERT INTO pages VALUES (30, 'toast', 'published', '" + big + "')",
                    "UPDATE pages SET title = 'toast v2' WHERE id = 30");
            await().atMost(WAIT).untilAsserted(() -> {
                Map<Object, Map<String, Object>> docs = h.documents("pages");
                assertThat(withoutLsn(docs)).isEqualTo(h.rows(member));
                assertThat(docs).containsOnlyKeys(3L, 10L, 20L, 30L);
            });
            assertThat(h.documents("pages").get(30L)).containsEntry("body", big).containsEntry("title", "toast v2");
        }
    }

    @Test
    void aPartitionedTableIsMirroredAsOneTable() throws Exception {
        db.execute(
                "CREATE TABLE parted (id bigint PRIMARY KEY, title text) PARTITION BY RANGE (id)",
                "CREATE TABLE parted_low PARTITION OF parted FOR VALUES FROM (MINVALUE) TO (100)",
                "CREATE TABLE parted_high PARTITION OF parted FOR VALUES FROM (100) TO (MAXVALUE)",
                "INSERT INTO parted VALUES (1, 'one'), (150, 'one fifty')");
        try (JobHarness h = JobHarness.titles(db, tpuf.baseUrl(), "parted")) {
            h.start(JobRunner.Options.defaults().withCreateSlot(true));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("parted")).containsOnlyKeys(1L, 150L));
            db.execute(
                    "INSERT INTO parted VALUES (2, 'two'), (200, 'two hundred')",
                    "UPDATE parted SET title = 'uno' WHERE id = 1",
                    "DELETE FROM parted WHERE id = 150",
                    "UPDATE parted SET id = 120 WHERE id = 2"); // moves the row to the other partition
            await().atMost(WAIT).untilAsserted(() -> {
                Map<Object, Map<String, Object>> docs = h.documents("parted");
                assertThat(docs).containsOnlyKeys(1L, 120L, 200L);
                assertThat(docs.get(1L)).containsEntry("title", "uno");
                assertThat(docs.get(120L)).containsEntry("title", "two");
            });
        }
    }

    @Test
    void wal2jsonIsRefusedForAPartitionedTableBeforeAnyWrite() throws Exception {
        db.execute(
                "CREATE TABLE partw (id bigint PRIMARY KEY, title text) PARTITION BY RANGE (id)",
                "CREATE TABLE partw_all PARTITION OF partw FOR VALUES FROM (MINVALUE) TO (MAXVALUE)");
        try (JobHarness h = JobHarness.titles(db, tpuf.baseUrl(), "partw")) {
            assertThatThrownBy(() -> h.start(
                            new JobRunner.Options(Optional.empty(), true, Optional.empty(), false, "wal2json", -1)))
                    .isInstanceOf(ReplicationSetup.SetupException.class)
                    .hasMessage("public.partw is a partitioned table, whose changes wal2json reports under each"
                            + " partition's name; stream with pgoutput (the default: no --poll, no --plugin"
                            + " wal2json), which publishes them as the table's");
            assertThat(db.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'partw_slot'"))
                    .as("no slot created")
                    .isEmpty();
        }
    }

    @Test
    void aTableWithoutAPrimaryKeyIsMirroredByItsIdColumn() throws Exception {
        db.execute(
                "CREATE TABLE nopk (id bigint NOT NULL UNIQUE, title text)",
                "ALTER TABLE nopk REPLICA IDENTITY FULL",
                "INSERT INTO nopk SELECT g, 't' || g FROM generate_series(1, 20) g");
        try (JobHarness h = JobHarness.titles(db, tpuf.baseUrl(), "nopk")) {
            h.start(JobRunner.Options.defaults().withCreateSlot(true));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("nopk")).hasSize(20));
            db.execute(
                    "INSERT INTO nopk VALUES (21, 'new')",
                    "UPDATE nopk SET title = 'changed' WHERE id = 1",
                    "DELETE FROM nopk WHERE id = 2");
            await().atMost(WAIT).untilAsserted(() -> {
                Map<Object, Map<String, Object>> docs = h.documents("nopk");
                assertThat(docs).hasSize(20).doesNotContainKey(2L).containsKey(21L);
                assertThat(docs.get(1L)).containsEntry("title", "changed");
            });
        }
    }

    @Test
    void tablesWithAndWithoutAPrimaryKeyAreSplitByTheIdColumnTheyShare() throws Exception {
        // Debezium would take the first unique index as the key of a table without a primary key, here the nullable
        // "code" one: the job passes the id column as Flink CDC's chunk key column instead, for every table
        db.execute(
                "CREATE TABLE nopk_a (code text, id bigint NOT NULL, title text)",
                "CREATE UNIQUE INDEX nopk_a_1_code ON nopk_a (code)",
                "CREATE UNIQUE INDEX nopk_a_2_id ON nopk_a (id)",
                "ALTER TABLE nopk_a REPLICA IDENTITY FULL",
                "CREATE TABLE pk_b (id bigint PRIMARY KEY, title text)",
                "INSERT INTO nopk_a SELECT NULL, g, 'a' || g FROM generate_series(1, 20) g",
                "INSERT INTO pk_b SELECT g, 'b' || g FROM generate_series(1, 10) g");
        try (JobHarness h = new JobHarness(
                db,
                tpuf.baseUrl(),
                "mixedpk",
                JobHarness.migration(1, "nopk_a", "nopk_a", "nopk_a", "\"id\", \"title\"", ""),
                JobHarness.migration(2, "pk_b", "pk_b", "pk_b", "\"id\", \"title\"", ""))) {
            h.start(JobRunner.Options.defaults().withCreateSlot(true));
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(h.documents("nopk_a")).hasSize(20);
                assertThat(h.documents("pk_b")).hasSize(10);
            });
            db.execute(
                    "INSERT INTO nopk_a VALUES ('x', 21, 'new')",
                    "UPDATE nopk_a SET title = 'changed' WHERE id = 1",
                    "DELETE FROM nopk_a WHERE id = 2",
                    "DELETE FROM pk_b WHERE id = 3");
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(withoutLsn(h.documents("nopk_a"))).isEqualTo(h.rows("SELECT id, title FROM nopk_a"));
                assertThat(withoutLsn(h.documents("pk_b"))).isEqualTo(h.rows("SELECT id, title FROM pk_b"));
            });
        }
    }

    @Test
    void quotedMixedCaseNamesAreMirrored() throws Exception {
        db.execute(
                "CREATE TABLE \"MixedCase\" (id bigint PRIMARY KEY, \"Title\" text)",
                "INSERT INTO \"MixedCase\" VALUES (1, 'one')");
        try (JobHarness h = new JobHarness(
                db,
                tpuf.baseUrl(),
                "mixed",
                JobHarness.migration(1, "mixed", "mixed", "MixedCase", "\"id\", \"Title\"", ""))) {
            h.start(JobRunner.Options.defaults().withCreateSlot(true));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("mixed")).containsOnlyKeys(1L));
            db.execute(
                    "INSERT INTO \"MixedCase\" VALUES (2, 'two')",
                    "UPDATE \"MixedCase\" SET \"Title\" = 'uno' WHERE id = 1");
            await().atMost(WAIT).untilAsserted(() -> {
                Map<Object, Map<String, Object>> docs = h.documents("mixed");
                assertThat(docs).containsOnlyKeys(1L, 2L);
                assertThat(docs.get(1L)).containsEntry("Title", "uno");
            });
        }
    }

    @Test
    void aGeneratedColumnIsReadFromTheRowSincePostgresDoesNotPublishIt() throws Exception {
        db.execute(
                "CREATE TABLE gen (id bigint PRIMARY KEY, title text,"
                        + " upper_title text GENERATED ALWAYS AS (upper(title)) STORED)",
                "INSERT INTO gen (id, title) VALUES (1, 'one')");
        try (JobHarness h = new JobHarness(
                db,
                tpuf.baseUrl(),
                "gen",
                JobHarness.migration(1, "gen", "gen", "gen", "\"id\", \"title\", \"upper_title\"", ""))) {
            h.start(JobRunner.Options.defaults().withCreateSlot(true));
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("gen")).containsOnlyKeys(1L));
            db.execute(
                    "INSERT INTO gen (id, title) VALUES (2, 'two')",
                    "UPDATE gen SET title = 'uno' WHERE id = 1",
                    "INSERT INTO gen (id, title) VALUES (3, 'three')",
                    "DELETE FROM gen WHERE id = 3");
            await().atMost(WAIT).untilAsserted(() -> {
                Map<Object, Map<String, Object>> docs = h.documents("gen");
                assertThat(docs).containsOnlyKeys(1L, 2L);
                assertThat(docs.get(1L)).containsEntry("title", "uno").containsEntry("upper_title", "UNO");
                assertThat(docs.get(2L)).containsEntry("upper_title", "TWO");
            });
            assertThat(db.query("SELECT 1 FROM puffgres.dlq WHERE mapping = 'gen'"))
                    .isEmpty();
        }
    }

    @Test
    void theFirstCheckpointWaitsForTheTasksToStart() throws Exception {
        db.execute("CREATE TABLE firstcp (id bigint PRIMARY KEY, title text)");
        try (JobHarness h = JobHarness.titles(db, tpuf.baseUrl(), "firstcp")) {
            // Flink counts a checkpoint triggered before every task runs as failed; the first one comes at least
            // half the interval (6 s) after the start, by when the tasks run
            Path toml = h.dir.resolve("puffgres.toml");
            Files.writeString(
                    toml,
                    Files.readString(toml).replace("checkpoint_interval_ms = 500", "checkpoint_interval_ms = 12000"));
            assertThat(Files.readString(toml)).contains("checkpoint_interval_ms = 12000");
            JobRunner.Started job =
                    h.start(new JobRunner.Options(Optional.empty(), true, Optional.empty(), false, "pgoutput", 0));
            String checkpoints = JobHarness.jobUrl(job) + "/checkpoints";
            JsonNode[] counts = new JsonNode[1];
            await().atMost(WAIT).untilAsserted(() -> {
                counts[0] = JobHarness.rest(checkpoints).path("counts");
                assertThat(counts[0].path("completed").asLong()).isPositive();
            });
            assertThat(counts[0].path("failed").asLong()).isZero();
        }
    }

    @Test
    void eachWriterShowsTheSlotLagInBytes() throws Exception {
        db.execute("CREATE TABLE lagged (id bigint PRIMARY KEY, title text)");
        try (JobHarness h = JobHarness.titles(db, tpuf.baseUrl(), "lagged")) {
            JobRunner.Started job =
                    h.start(new JobRunner.Options(Optional.empty(), true, Optional.empty(), false, "pgoutput", 0));
            db.execute("INSERT INTO lagged VALUES (1, 'one')");
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("lagged")).containsOnlyKeys(1L));
            // the figure itself is checked against a slot nothing reads, in SlotLagIT; here the web UI shows it
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(slotLagBytes(job)).isBetween(0L, 1_000_000L));
        }
    }

    /** The writer's {@code slotLagBytes} gauge, through the Flink REST API as the web UI reads it. */
    private static long slotLagBytes(JobRunner.Started job) throws Exception {
        return JobHarness.gauge(job, "lagged__apply_+_write.slotLagBytes")
                .orElseThrow(() -> new AssertionError("no vertex shows slotLagBytes yet"));
    }

    @Test
    void wal2jsonIsSelectable() throws Exception {
        db.execute("CREATE TABLE w2j (id bigint PRIMARY KEY, title text)", "INSERT INTO w2j VALUES (1, 'one')");
        try (JobHarness h = JobHarness.titles(db, tpuf.baseUrl(), "w2j")) {
            JobRunner.Options wal2json = new JobRunner.Options(
                    java.util.Optional.empty(), true, java.util.Optional.empty(), false, "wal2json", -1);
            h.start(wal2json);
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("w2j")).containsOnlyKeys(1L));
            db.execute(
                    "INSERT INTO w2j VALUES (2, 'two')",
                    "UPDATE w2j SET title = 'uno' WHERE id = 1",
                    "DELETE FROM w2j WHERE id = 2",
                    "INSERT INTO w2j VALUES (3, 'three')");
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(h.documents("w2j")).containsOnlyKeys(1L, 3L);
                assertThat(h.documents("w2j").get(1L)).containsEntry("title", "uno");
            });
        }
    }

    @Test
    void fromLsnSkipsTheSnapshotAndWhatCameBefore() throws Exception {
        db.execute(
                "CREATE TABLE fl (id bigint PRIMARY KEY, title text)",
                "INSERT INTO fl VALUES (1, 'before')",
                "CREATE PUBLICATION fl_pub FOR TABLE fl",
                "SELECT pg_create_logical_replication_slot('fl_slot', 'pgoutput')",
                "INSERT INTO fl VALUES (2, 'skipped')");
        String lsn;
        try (java.sql.Connection c = db.connect();
                java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT pg_current_wal_lsn()")) {
            rs.next();
            lsn = rs.getString(1);
        }
        db.execute("INSERT INTO fl VALUES (3, 'after')");
        try (JobHarness h = JobHarness.titles(db, tpuf.baseUrl(), "fl")) {
            h.start(new JobRunner.Options(
                    java.util.Optional.empty(), false, java.util.Optional.of(lsn), false, "pgoutput", -1));
            db.execute("INSERT INTO fl VALUES (4, 'later')");
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(h.documents("fl")).containsOnlyKeys(3L, 4L));
        }
    }
}
