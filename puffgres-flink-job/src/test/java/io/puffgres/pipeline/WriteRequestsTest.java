package io.puffgres.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.client.EncodedDocument;
import io.puffgres.client.WriteRequest;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import io.puffgres.migration.Migration;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WriteRequestsTest {

    private static String json(WriteRequest r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static Outcome.Upsert upsert(long id, Object updated, long lsn) {
        return new Outcome.Upsert(
                EncodedDocument.of(new Document(new DocId.Uint(id), Map.of("updated", updated)), "__source_lsn", lsn),
                lsn);
    }

    @Test
    void aBatchConditionsItsUpsertsAndDeclaresWhatJsonCannotCarry() throws Exception {
        Migration m = Mappings.items("");
        DocumentSchema schema = new DocumentSchema(m);
        WriteRequests requests = new WriteRequests(m, schema);
        Outcome.Upsert u = upsert(1, Instant.EPOCH, 10);
        schema.learn(new Document(new DocId.Uint(1), Map.of("updated", Instant.EPOCH)));

        String body = json(requests.batch(List.of(u, new Outcome.Delete(new DocId.Uint(2), 11))));

        assertThat(body)
                .contains("\"upsert_condition\"")
                .contains("\"__source_lsn\":\"uint\"")
                .contains("\"updated\":\"datetime\"")
                .contains("\"deletes\":[2]")
                .doesNotContain("delete_condition");
    }

    @Test
    void aFloorAlsoAcceptsWhatIsStoredAtOrBelowIt() throws Exception {
        Migration m = Mappings.items("");
        WriteRequests requests = new WriteRequests(m, new DocumentSchema(m));
        requests.floor(1200);

        assertThat(json(requests.batch(List.of(upsert(1, Instant.EPOCH, 900)))))
                .contains("\"upsert_condition\":[\"Or\",[[\"__source_lsn\",\"Lte\",{\"$ref_new\":\"__source_lsn\"}],"
                        + "[\"__source_lsn\",\"Lte\",1200]]]");
    }

    @Test
    void aVersioningColumnKeepsItsConditionUnderAFloor() throws Exception {
        Migration m = Mappings.items("[versioning]\nmode = \"column\"\ncolumn = \"status\"\n");
        WriteRequests requests = new WriteRequests(m, new DocumentSchema(m));
        requests.floor(1200);

        assertThat(json(requests.batch(List.of(upsert(1, Instant.EPOCH, 900)))))
                .contains("\"upsert_condition\":[\"status\",\"Lte\",{\"$ref_new\":\"status\"}]");
    }

    @Test
    void aBatchOfDeletesAloneHasNoConditionOrSchema() throws Exception {
        Migration m = Mappings.items("");
        String body = json(
                new WriteRequests(m, new DocumentSchema(m)).batch(List.of(new Outcome.Delete(new DocId.Uint(2), 11))));
        assertThat(body).doesNotContain("upsert_condition").doesNotContain("schema");
    }

    @Test
    void aReplayedDeleteAppliesOnlyWhereNoNewerChangeWrote() throws Exception {
        Migration m = Mappings.items("");
        String body =
                json(new WriteRequests(m, new DocumentSchema(m)).replayed(new Outcome.Delete(new DocId.Uint(2), 11)));
        assertThat(body).contains("\"delete_condition\"").contains("__source_lsn");
    }

    @Test
    void aTruncateDeletesWhatWasWrittenBeforeIt() {
        assertThat(json(WriteRequests.truncate(42))).contains("\"delete_by_filter\":[\"__source_lsn\",\"Lte\",42]");
    }
}
