package io.puffgres.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.client.ErrorPolicy;
import io.puffgres.client.Query;
import io.puffgres.client.TurbopufferClient;
import io.puffgres.client.WriteRequest;
import io.puffgres.dlq.DlqEntry;
import io.puffgres.dlq.DlqRecord;
import io.puffgres.dlq.DlqTable;
import io.puffgres.dlq.EventJson;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import io.puffgres.emulator.EmulatorExtension;
import io.puffgres.event.Op;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.migration.Project;
import io.puffgres.migration.ProjectLoader;
import io.puffgres.testkit.PostgresDatabase;
import io.puffgres.testkit.ProjectFiles;
import io.puffgres.transform.FailureKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link DlqRetry} without a job: entries recorded directly, a dsl mapping, namespace contents written beforehand
 * with chosen {@code __source_lsn}s; what a retry writes, and what it must not.
 */
class DlqRetryIT {

    @RegisterExtension
    static final PostgresDatabase db = new PostgresDatabase();

    @RegisterExtension
    static final EmulatorExtension tpuf = new EmulatorExtension();

    private static final RelationId POSTS = new RelationId("public", "posts");

    private TurbopufferClient client;
    private Connection connection;
    private DlqTable table;
    private DlqRetry retry;

    @BeforeEach
    void setUp() throws Exception {
        db.execute(
                "DROP TABLE IF EXISTS posts",
                "CREATE TABLE posts (id bigint PRIMARY KEY, title text, status text)",
                "DROP SCHEMA IF EXISTS puffgres CASCADE");
        Path dir = Files.createTempDirectory("puffgres-dlq-retry-");
        ProjectFiles.writeConfig(dir, db.jdbcUrl(), "posts", "posts", tpuf.baseUrl(), 1000);
        Files.writeString(
                dir.resolve("puffgres/migrations/0001_posts.toml"),
                String.join(
                        "\n",
                        "version = 1",
                        "mapping_name = \"posts\"",
                        "namespace = \"posts\"",
                        "columns = [\"id\", \"title\", \"status\"]",
                        "[source]",
                        "schema = \"public\"",
                        "table = \"posts\"",
                        "[id]",
                        "column = \"id\"",
                        "type = \"uint\"",
                        "[membership]",
                        "mode = \"dsl\"",
                        "predicate = \"status = 'published'\"",
                        ""));
        Project project = ProjectLoader.load(dir, Map.of());
        client =
                new TurbopufferClient(tpuf.baseUrl(), Optional.empty(), ErrorPolicy.defaults(), Duration.ofSeconds(10));
        connection = db.connect();
        table = new DlqTable("puffgres");
        table.ensure(connection);
        retry = new DlqRetry(project, connection, client);
    }

    @AfterEach
    void tearDown() throws Exception {
        retry.close();
        connection.close();
        client.close();
    }

    private static Row row(long id, String title, String status) {
        return Row.builder()
                .put("id", "int8", id)
                .put("title", "text", title)
                .put("status", "text", status)
                .build();
    }

    private DlqRecord record(RowEvent event, long id, String kind) throws Exception {
        table.insert(
                connection,
                new DlqEntry(
                        event.lsn(), "posts", 1, "posts", String.valueOf(id), EventJson.encode(event), kind, "x", ""));
        return table.list(connection, Optional.empty(), false, 100).stream()
                .filter(r -> r.docId().equals(String.valueOf(id)))
                .findFirst()
                .orElseThrow();
    }

    private static RowEvent insert(long lsn, Row after) {
        return new RowEvent(Op.INSERT, POSTS, null, after, lsn, 7, Instant.parse("2025-01-01T00:00:00Z"));
    }

    private static RowEvent delete(long lsn, long id) {
        return new RowEvent(
                Op.DELETE, POSTS, Row.builder().put("id", "int8", id).build(), null, lsn, 7, Instant.EPOCH);
    }

    /** Writes a document as an earlier write of the job would have. */
    private void existing(long id, String title, long sourceLsn) {
        client.write(
                "posts",
                WriteRequest.builder()
                        .upsert(new Document(
                                new DocId.Uint(id),
                                Map.of("title", title, "status", "published", "__source_lsn", sourceLsn)))
                        .schema(Map.of("__source_lsn", "uint"))
                        .build());
    }

    /** id → title@__source_lsn. */
    private Map<Long, String> documents() {
        Map<Long, String> docs = new TreeMap<>();
        client.query(
                        "posts",
                        Query.builder()
                                .rankBy(Query.RankBy.attribute("id", true))
                                .topK(100)
                                .includeAllAttributes()
                                .build())
                .rows()
                .forEach(r ->
                        docs.put(((Number) r.get("id")).longValue(), r.get("title") + "@" + r.get("__source_lsn")));
        return docs;
    }

    private boolean resolved(DlqRecord r) throws Exception {
        return table.get(connection, r.id()).orElseThrow().resolvedAt().isPresent();
    }

    @Test
    void upsertsAMemberRowUnderTheEntrysLsn() throws Exception {
        db.execute("INSERT INTO posts VALUES (4, 'now', 'published')");
        existing(4, "older", 100);
        DlqRecord r = record(insert(150, row(4, "then", "published")), 4, "rejected");

        assertThat(retry.retry(r)).isEqualTo(new DlqRetry.Outcome.Written("upserted id 4 into posts"));

        assertThat(documents()).containsEntry(4L, "then@150");
        assertThat(resolved(r)).isTrue();
    }

    @Test
    void neverOverwritesAVersionWrittenFromANewerChange() throws Exception {
        db.execute("INSERT INTO posts VALUES (4, 'now', 'published')");
        existing(4, "now", 300);
        DlqRecord r = record(insert(150, row(4, "then", "published")), 4, "rejected");

        assertThat(retry.retry(r)).isEqualTo(new DlqRetry.Outcome.Superseded("a newer version of id 4 is in posts"));

        assertThat(documents()).containsEntry(4L, "now@300");
        assertThat(resolved(r)).isTrue();
    }

    @Test
    void doesNotBringBackARowThatLeftTheMembershipSince() throws Exception {
        db.execute("INSERT INTO posts VALUES (1, 't', 'draft')");
        existing(9, "other", 1);
        DlqRecord r = record(insert(100, row(1, "t", "published")), 1, "rejected");

        assertThat(retry.retry(r))
                .isEqualTo(new DlqRetry.Outcome.Superseded(
                        "row 1 is no longer a member of posts; its newer change removes the document"));

        assertThat(documents()).containsOnlyKeys(9L);
    }

    @Test
    void deletesOnlyADocumentWrittenBeforeTheEntrysChange() throws Exception {
        existing(2, "newer", 300);
        existing(3, "older", 100);
        DlqRecord newer = record(delete(200, 2), 2, "rejected");
        DlqRecord older = record(delete(200, 3), 3, "rejected");

        assertThat(retry.retry(newer))
                .isEqualTo(new DlqRetry.Outcome.Superseded(
                        "nothing to delete: id 2 is not in posts or was written by a newer change"));
        assertThat(retry.retry(older)).isEqualTo(new DlqRetry.Outcome.Written("deleted id 3 from posts"));

        assertThat(documents()).isEqualTo(Map.of(2L, "newer@300"));
        assertThat(resolved(newer)).isTrue();
        assertThat(resolved(older)).isTrue();
    }

    @Test
    void anInvalidIdStillFailsAndCountsTheRetry() throws Exception {
        DlqRecord r = record(insert(100, row(-5, "t", "published")), -5, "id");

        DlqRetry.Outcome outcome = retry.retry(r);

        assertThat(outcome)
                .isEqualTo(new DlqRetry.Outcome.Failed(
                        FailureKind.ID,
                        "id column \"id\" of type uint must be >= 0 for a turbopuffer id (got -5)",
                        ""));
        DlqRecord after = table.get(connection, r.id()).orElseThrow();
        assertThat(after.retryCount()).isEqualTo(1);
        assertThat(after.errorMessage())
                .isEqualTo("id column \"id\" of type uint must be >= 0 for a turbopuffer id (got -5)");
        assertThat(after.resolvedAt()).isEmpty();
        assertThat(after.lastFailedAt()).isAfterOrEqualTo(r.lastFailedAt());
    }
}
