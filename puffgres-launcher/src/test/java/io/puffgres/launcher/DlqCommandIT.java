package io.puffgres.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.puffgres.cli.ExitCode;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.testkit.PostgresDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code puffgres dlq list | show | retry | discard} on the entries of a real detached run. */
class DlqCommandIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    /** The transform after the fix: only "boom forever" still fails. */
    private static final String FIXED = String.join(
            "\n",
            "export function transform(row, ctx) {",
            "  if (row.title === 'boom forever') throw new Error('still no: ' + row.title);",
            "  return { title: row.title };",
            "}",
            "");

    /** DLQ entry per document id: {@code [entry id, retry_count, resolved (0/1)]}, and the last error message. */
    private static Map<Long, long[]> entries(String table) throws SQLException {
        Map<Long, long[]> byDoc = new LinkedHashMap<>();
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT doc_id::bigint, id, retry_count, resolved_at IS NOT NULL FROM "
                        + table + " ORDER BY id")) {
            while (rs.next()) {
                byDoc.put(rs.getLong(1), new long[] {rs.getLong(2), rs.getLong(3), rs.getBoolean(4) ? 1 : 0});
            }
        }
        return byDoc;
    }

    private static String message(long entryId) throws SQLException {
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT error_message FROM dlqjob.dlq WHERE id = " + entryId)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void listsShowsAndRetriesTheEntriesOfARealJob() throws Exception {
        CliProject p = CliProject.create(db, tpuf, "dlqjob");
        // a column the mapping does not list: neither the transform nor the DLQ may see it
        db.execute(
                "ALTER TABLE dlqjob ADD COLUMN ssn text",
                "INSERT INTO dlqjob VALUES (1, 'one', '078-05-1120'), (2, 'boom a', '078-05-1120'),"
                        + " (3, 'boom b', '078-05-1120'), (4, 'boom forever', '078-05-1120'), (5, 'boom c', '078-05-1120')");
        ValidateCommandTest.Result started = p.run("run", "--create-slot", "--detach", "--web-ui-port", "0");
        assertThat(started.exitCode()).as(started.err()).isEqualTo(ExitCode.OK);
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertThat(entries("dlqjob.dlq")).containsOnlyKeys(2L, 3L, 4L, 5L);
            assertThat(p.titles()).isEqualTo(Map.of(1L, "one"));
        });
        Map<Long, long[]> ids = entries("dlqjob.dlq");
        long e2 = ids.get(2L)[0];
        long e3 = ids.get(3L)[0];
        long e4 = ids.get(4L)[0];
        long e5 = ids.get(5L)[0];

        ValidateCommandTest.Result list = p.run("dlq", "list");
        assertThat(list.exitCode()).as(list.err()).isEqualTo(ExitCode.OK);
        assertThat(list.out().lines().toList())
                .hasSize(5)
                .first()
                .asString()
                .matches("ID +MAPPING +DOC ID +LSN +KIND +RETRIES +LAST FAILED +MESSAGE");
        assertThat(list.out())
                .containsPattern("(?m)^ *" + e2 + "  dlqjob@1 +2 +[0-9A-F]+/[0-9A-F]+ +transform +0 +\\S+ \\(\\d+ s"
                        + " ago\\) +.*no booms please: boom a \\(row has id,title\\)$")
                .contains("no booms please: boom forever");

        ValidateCommandTest.Result show = p.run("dlq", "show", String.valueOf(e2));
        assertThat(show.exitCode()).as(show.err()).isEqualTo(ExitCode.OK);
        assertThat(show.out())
                .contains("id:              " + e2 + "\n")
                .contains("mapping:         dlqjob version 1 -> namespace dlqjob\n")
                .contains("doc id:          2\n")
                .containsPattern("lsn:             [0-9A-F]+/[0-9A-F]+\n")
                .contains("error kind:      transform\n")
                .contains("retry count:     0\n")
                .contains("resolved at:     unresolved\n")
                .contains("event:\n  {\n    \"op\" : \"READ\",\n    \"relation\" : \"public.dlqjob\",\n")
                .containsPattern("\"title\" : \\{\\s+\"type\" : \"text\",\\s+\"value\" : \"boom a\"")
                .containsPattern("error detail:\n +at transform \\(t.js:2:43\\)")
                .doesNotContain("ssn")
                .doesNotContain("078-05-1120");
        assertThat(db.query("SELECT id FROM dlqjob.dlq WHERE event::text LIKE '%ssn%'"
                        + " OR event::text LIKE '%078-05-1120%'"))
                .isEmpty();

        // while the job runs: row 3 is fixed at the source and mirrored, row 5 deleted
        db.execute("UPDATE dlqjob SET title = 'three' WHERE id = 3", "DELETE FROM dlqjob WHERE id = 5");
        await().atMost(Duration.ofSeconds(90))
                .untilAsserted(() -> assertThat(p.titles()).isEqualTo(Map.of(1L, "one", 3L, "three")));

        p.transform(FIXED);
        ValidateCommandTest.Result one = p.run("dlq", "retry", String.valueOf(e2));
        assertThat(one.exitCode()).as(one.err()).isEqualTo(ExitCode.OK);
        assertThat(one.out())
                .contains("#" + e2 + " dlqjob@1 id 2 at ")
                .contains(": upserted id 2 into dlqjob; resolved\n")
                .contains("retried 1: 1 written, 0 superseded by newer data, 0 still failing");
        assertThat(p.titles()).containsEntry(2L, "boom a");

        // the rest without a running job
        assertThat(p.run("stop").exitCode()).isEqualTo(ExitCode.OK);
        ValidateCommandTest.Result all = p.run("dlq", "retry", "all");
        assertThat(all.exitCode()).isEqualTo(ExitCode.RUNTIME);
        assertThat(all.out())
                .contains("#" + e3 + " dlqjob@1 id 3 at ")
                .contains(": not written, a newer version of id 3 is in dlqjob; resolved\n")
                .contains(": still failing (transform): ")
                .contains("still no: boom forever; retry 1\n")
                .contains(": not written, row 5 is no longer in public.dlqjob; its DELETE removes the document;"
                        + " resolved\n")
                .contains("retried 3: 0 written, 2 superseded by newer data, 1 still failing");
        assertThat(all.err().lines().toList())
                .containsExactly(
                        "error: 1 entry still fails: #" + e4,
                        "hint: see puffgres dlq show " + e4 + ", fix the transform or the row, and retry again");
        assertThat(p.titles()).isEqualTo(Map.of(1L, "one", 2L, "boom a", 3L, "three"));
        Map<Long, long[]> after = entries("dlqjob.dlq");
        assertThat(after.get(2L)).containsExactly(e2, 0, 1);
        assertThat(after.get(3L)).containsExactly(e3, 0, 1);
        assertThat(after.get(4L)).containsExactly(e4, 1, 0);
        assertThat(after.get(5L)).containsExactly(e5, 0, 1);
        assertThat(message(e4)).contains("still no: boom forever");

        assertThat(p.run("dlq", "list").out().lines()).hasSize(2);
        ValidateCommandTest.Result listAll = p.run("dlq", "list", "--all");
        assertThat(listAll.out().lines().toList()).hasSize(5).first().asString().contains("RESOLVED");
        ValidateCommandTest.Result again = p.run("dlq", "retry", String.valueOf(e4));
        assertThat(again.exitCode()).isEqualTo(ExitCode.RUNTIME);
        assertThat(again.out()).contains("still no: boom forever; retry 2\n");
        assertThat(entries("dlqjob.dlq").get(4L)).containsExactly(e4, 2, 0);
        assertThat(p.run("dlq", "retry", String.valueOf(e2)).out())
                .startsWith("#" + e2 + " is already resolved (at ")
                .endsWith("); nothing to do\n");

        // what will never apply is discarded: by mapping, then a resolved entry by id
        ValidateCommandTest.Result other = p.run("dlq", "discard", "all", "--mapping", "other");
        assertThat(other.exitCode()).as(other.err()).isEqualTo(ExitCode.OK);
        assertThat(other.out()).isEqualTo("discarded 0 DLQ entries of mapping other\n");
        ValidateCommandTest.Result mine = p.run("dlq", "discard", "all", "--mapping", "dlqjob");
        assertThat(mine.exitCode()).as(mine.err()).isEqualTo(ExitCode.OK);
        assertThat(mine.out()).isEqualTo("discarded 1 DLQ entry of mapping dlqjob\n");
        assertThat(entries("dlqjob.dlq")).containsOnlyKeys(2L, 3L, 5L);
        assertThat(p.run("dlq", "list").out()).startsWith("no unresolved DLQ entries");
        assertThat(p.run("dlq", "discard", String.valueOf(e2)).out()).isEqualTo("discarded 1 DLQ entry\n");
        assertThat(entries("dlqjob.dlq")).containsOnlyKeys(3L, 5L);
        ValidateCommandTest.Result gone = p.run("dlq", "discard", String.valueOf(e2));
        assertThat(gone.exitCode()).isEqualTo(ExitCode.RUNTIME);
        assertThat(gone.err())
                .isEqualTo(
                        "error: no DLQ entry " + e2 + " in dlqjob.dlq\nhint: puffgres dlq list --all shows the ids\n");
    }

    @Test
    void aProjectWithoutDlqTableHasNoEntriesAndUnknownIdsAreOneLineErrors() throws Exception {
        CliProject p = CliProject.create(db, tpuf, "nodlq");
        assertThat(p.run("dlq", "list").out())
                .isEqualTo("no DLQ entries (nodlq.dlq does not exist yet; puffgres run creates it)\n");
        ValidateCommandTest.Result show = p.run("dlq", "show", "99");
        assertThat(show.exitCode()).isEqualTo(ExitCode.RUNTIME);
        assertThat(show.err())
                .isEqualTo("error: no DLQ entry 99 in nodlq.dlq\nhint: puffgres dlq list --all shows the ids\n");
        ValidateCommandTest.Result retry = p.run("dlq", "retry", "all");
        assertThat(retry.exitCode()).isEqualTo(ExitCode.OK);
        assertThat(retry.out()).isEqualTo("no unresolved DLQ entries\n");
        ValidateCommandTest.Result bad = p.run("dlq", "retry", "twelve");
        assertThat(bad.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(bad.err()).startsWith("error: retry takes an entry id or all, got twelve\n");
        ValidateCommandTest.Result bare = ValidateCommandTest.run("dlq");
        assertThat(bare.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(bare.err()).startsWith("error: Missing subcommand: list, show, retry or discard\n");
        assertThat(p.run("dlq", "discard", "all").out()).isEqualTo("discarded 0 DLQ entries\n");
        ValidateCommandTest.Result discardBad = p.run("dlq", "discard", "twelve");
        assertThat(discardBad.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(discardBad.err()).startsWith("error: discard takes an entry id or all, got twelve\n");
        ValidateCommandTest.Result withMapping = p.run("dlq", "discard", "3", "--mapping", "nodlq");
        assertThat(withMapping.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(withMapping.err()).startsWith("error: --mapping goes with discard all, not with an id\n");
    }
}
