package io.puffgres.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.client.WriteRequest;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.fill.FillLedger;
import io.puffgres.testkit.PostgresDatabase;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fills that sweep, in the whole job: a repair deletes the documents of rows gone and of rows no longer members, while
 * a row inserted again or made a member by a transaction open across the sweep ends in the namespace; a new version
 * that keeps its namespace deletes the documents only the version before wanted.
 */
class RepairIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final String COLUMNS = "\"id\", \"title\", \"status\"";
    private static final String ON = "[membership]\nmode = \"dsl\"\npredicate = \"status = 'on'\"";

    private static void table(String name) {
        db.execute(
                "CREATE TABLE " + name + " (id bigint PRIMARY KEY, title text, status text, grp int)",
                "INSERT INTO " + name + " SELECT g, 'row ' || g, CASE WHEN g % 10 = 0 THEN 'off' ELSE 'on' END, g % 2"
                        + " FROM generate_series(1, 2000) g");
    }

    /** The state of the newest fill of {@code mapping} with {@code reason}, or "none". */
    private static String state(String mapping, String reason) {
        var rows = db.query("SELECT state FROM puffgres.fills WHERE mapping = '" + mapping + "' AND reason = '" + reason
                + "' ORDER BY id DESC LIMIT 1");
        return rows.isEmpty() ? "none" : String.valueOf(rows.get(0).get("state"));
    }

    private static void awaitFill(String mapping, String reason) {
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(state(mapping, reason)).isEqualTo("done"));
    }

    /** The namespace's documents without their stamps, as {@link JobHarness#rows} gives the table's. */
    private static String documents(JobHarness h, String namespace) {
        Map<Object, Map<String, Object>> docs = h.documents(namespace);
        docs.values().forEach(d -> d.remove("__source_lsn"));
        return docs.toString();
    }

    @Test
    void aRepairDeletesDocumentsOfRowsGoneOrNoLongerMembersAndKeepsWhatAConcurrentTransactionWrote() throws Exception {
        table("rep");
        String members = "SELECT id, status, title FROM rep WHERE status = 'on' ORDER BY id";
        try (JobHarness h =
                new JobHarness(db, tpuf.baseUrl(), "rep", JobHarness.migration(1, "rep", "rep", "rep", COLUMNS, ON))) {
            JobRunner.Started job = h.start(JobRunner.Options.defaults().withCreateSlot(true));
            awaitFill("rep", "initial");
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(documents(h, "rep"))
                            .isEqualTo(h.rows(members).toString()));
            h.cancel(job);

            // documents written behind puffgres's back: of rows no member (every tenth), of rows that are gone
            // (2001..2500), and a member's with a wrong title
            WriteRequest.Builder drift = WriteRequest.builder();
            for (long id = 10; id <= 2500; id += id < 2000 ? 10 : 1) {
                drift.upsert(new Document(new DocId.Uint(id), Map.of("title", "stale", "status", "on")));
            }
            drift.upsert(new Document(new DocId.Uint(5), Map.of("title", "wrong", "status", "on")));
            h.client().write("rep", drift.build());
            try (Connection c = db.connect()) {
                new FillLedger("puffgres").request(c, "rep", 1, "rep", FillLedger.Reason.REPAIR);
            }

            try (Connection open = db.connect();
                    Statement s = open.createStatement()) {
                // open across the whole repair: every sweep snapshot sees id 2001 gone and id 10 no member
                open.setAutoCommit(false);
                s.execute("INSERT INTO rep VALUES (2001, 'inserted again', 'on')");
                s.execute("UPDATE rep SET status = 'on', title = 'member now' WHERE id = 10");
                job = h.start(JobRunner.Options.defaults());
                awaitFill("rep", "repair");
                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(documents(h, "rep"))
                                .isEqualTo(h.rows(members).toString()));
                assertThat(h.documents("rep")).doesNotContainKeys(10L, 2001L, 2500L);
                open.commit();
            }
            // the transaction's changes, which no sweep snapshot saw, follow the sweep's deletes
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(documents(h, "rep"))
                            .isEqualTo(h.rows(members).toString()));
            assertThat(h.documents("rep").get(2001L)).containsEntry("title", "inserted again");
            assertThat(h.documents("rep").get(10L)).containsEntry("title", "member now");
            assertThat(h.documents("rep").get(5L)).containsEntry("title", "row 5");
        }
    }

    @Test
    void aNewVersionKeepingTheNamespaceDeletesTheDocumentsOnlyTheVersionBeforeWanted() throws Exception {
        table("same");
        try (JobHarness h = new JobHarness(
                db, tpuf.baseUrl(), "same", JobHarness.migration(1, "same", "same", "same", COLUMNS, ON))) {
            JobRunner.Started job = h.start(JobRunner.Options.defaults().withCreateSlot(true));
            awaitFill("same", "initial");
            h.cancel(job);

            // version 2 keeps the namespace, adds a column and wants the even rows only
            Files.writeString(
                    h.dir.resolve("puffgres/migrations/0002_same.toml"),
                    JobHarness.migration(
                            2,
                            "same",
                            "same",
                            "same",
                            COLUMNS + ", \"grp\"",
                            "[membership]\nmode = \"dsl\"\npredicate = \"status = 'on' AND grp = 0\""));
            job = h.start(JobRunner.Options.defaults());
            db.execute("UPDATE same SET title = 'while filling' WHERE id IN (7, 8)");
            awaitFill("same", "new_version");
            String members = "SELECT id, grp, status, title FROM same WHERE status = 'on' AND grp = 0 ORDER BY id";
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(documents(h, "same"))
                            .isEqualTo(h.rows(members).toString()));
            assertThat(h.documents("same")).hasSize(800).doesNotContainKey(7L).containsKey(8L);
            h.cancel(job);
        }
    }
}
