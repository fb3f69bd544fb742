package io.puffgres.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.event.Op;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.transform.FailureKind;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static final RelationId ITEMS = new RelationId("public", "items");
    private static Router router;

    @BeforeAll
    static void mapping() throws Exception {
        router = new Router(Mappings.items(""), 900, List.of("truncate-0", "truncate-1"));
    }

    private static Row row(Object id, String title) {
        return Row.builder()
                .put("id", "int8", id)
                .put("title", "text", title)
                .put("status", "text", "on")
                .put("unlisted", "text", "never travels")
                .build();
    }

    private static RowEvent event(Op op, Row before, Row after, long lsn) {
        return new RowEvent(op, ITEMS, before, after, lsn, 7, Instant.EPOCH);
    }

    private static List<String> routed(Routing r) {
        return r.changes().stream().map(c -> c.kind() + " " + c.id()).toList();
    }

    @Test
    void anInsertIsAChangeOfItsIdWithOnlyTheMappingsColumns() {
        Routing r = router.route(event(Op.INSERT, null, row(1L, "a"), 100));
        assertThat(routed(r)).containsExactly("CHANGE 1");
        assertThat(r.failures()).isEmpty();
        assertThat(r.changes().get(0).event().after().columns()).containsExactly("id", "title", "status");
    }

    @Test
    void anUpdateThatChangesTheIdDeletesTheOldIdFirst() {
        Routing r = router.route(event(Op.UPDATE, row(1L, "a"), row(2L, "a"), 100));
        assertThat(routed(r)).containsExactly("DELETE 1", "CHANGE 2");
    }

    @Test
    void anUpdateThatKeepsTheIdIsOneChange() {
        assertThat(routed(router.route(event(Op.UPDATE, row(1L, "a"), row(1L, "b"), 100))))
                .containsExactly("CHANGE 1");
    }

    @Test
    void aDeleteDeletesTheOldRowsId() {
        assertThat(routed(router.route(event(Op.DELETE, row(3L, "a"), null, 100))))
                .containsExactly("DELETE 3");
    }

    @Test
    void aTruncateGoesUnderEveryTruncateKey() {
        Routing r = router.route(event(Op.TRUNCATE, null, null, 100));
        assertThat(routed(r)).containsExactly("TRUNCATE truncate-0", "TRUNCATE truncate-1");
    }

    @Test
    void aSnapshotRowWithoutLsnTakesTheSnapshots() {
        Routing r = router.route(event(Op.READ, null, row(1L, "a"), 0));
        assertThat(r.event().lsn()).isEqualTo(900);
        assertThat(r.changes().get(0).event().lsn()).isEqualTo(900);
    }

    @Test
    void aRowWhoseIdCannotBeADocumentIdIsAnIdFailure() {
        Routing r = router.route(event(Op.INSERT, null, row(-5L, "a"), 100));
        assertThat(r.changes()).isEmpty();
        assertThat(r.failures())
                .extracting(f -> f.kind() + " " + f.docId() + " " + f.message())
                .containsExactly("id -5 id column \"id\" of type uint must be >= 0 for a turbopuffer id (got -5)");
    }

    @Test
    void aDeleteWithoutTheIdInItsOldRowNamesTheReplicaIdentity() {
        Row noId = Row.builder().put("title", "text", "a").build();
        Routing r = router.route(event(Op.DELETE, noId, null, 100));
        assertThat(r.failures()).hasSize(1);
        assertThat(r.failures().get(0).kind()).isEqualTo(FailureKind.ID);
        assertThat(r.failures().get(0).docId()).isEqualTo("null");
        assertThat(r.failures().get(0).message()).contains("REPLICA IDENTITY FULL");
    }

    @Test
    void anUpdateToAnInvalidIdFailsWithoutDeletingTheOldOne() {
        Routing r = router.route(event(Op.UPDATE, row(1L, "a"), row(null, "a"), 100));
        assertThat(r.changes()).isEmpty();
        assertThat(r.failures()).extracting(Failure::docId).containsExactly("null");
    }
}
