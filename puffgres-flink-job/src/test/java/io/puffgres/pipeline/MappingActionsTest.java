package io.puffgres.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import io.puffgres.event.Op;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.migration.Migration;
import io.puffgres.transform.Action;
import io.puffgres.transform.FailureKind;
import io.puffgres.transform.Transform;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Membership → transform → document → outcome, with hand-written transforms; no Flink, no Postgres. */
class MappingActionsTest {

    private static final RelationId ITEMS = new RelationId("public", "items");
    private static final String DSL = "[membership]\nmode = \"dsl\"\npredicate = \"status = 'on'\"";

    /** A transform that copies the title. */
    private static final Transform TITLE = (event, id, ctx) -> {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("title", event.after().get("title"));
        return new Action.Upsert(new Document(id, attributes));
    };

    private static MappingActions actions(String rest, Transform transform) throws Exception {
        Migration m = Mappings.items(rest);
        return new MappingActions(m, transform, text -> new float[0]);
    }

    private static MappedEvent change(long id, String status, long lsn) {
        Row row = Row.builder()
                .put("id", "int8", id)
                .put("title", "text", "t" + id)
                .put("status", "text", status)
                .build();
        return new MappedEvent(
                Long.toString(id),
                MappedEvent.Kind.CHANGE,
                new RowEvent(Op.UPDATE, ITEMS, null, row, lsn, 7, Instant.EPOCH));
    }

    @Test
    void aMemberIsUpsertedStampedWithItsChangesLsn() throws Exception {
        try (MappingActions a = actions(DSL, TITLE)) {
            Outcome o = a.apply(change(1, "on", 123));
            assertThat(o).isInstanceOf(Outcome.Upsert.class);
            Outcome.Upsert u = (Outcome.Upsert) o;
            assertThat(u.id()).isEqualTo(new DocId.Uint(1));
            assertThat(u.lsn()).isEqualTo(123);
            assertThat(json(a, u)).contains("\"title\":[\"t1\"]").contains("\"__source_lsn\":[123]");
        }
    }

    @Test
    void aNonMemberIsADeleteOfItsId() throws Exception {
        try (MappingActions a = actions(DSL, TITLE)) {
            assertThat(a.apply(change(2, "off", 124))).isEqualTo(new Outcome.Delete(new DocId.Uint(2), 124));
        }
    }

    @Test
    void aDeleteNeedsNoTransform() throws Exception {
        Transform never = (event, id, ctx) -> {
            throw new AssertionError("a delete is not transformed");
        };
        try (MappingActions a = actions("", never)) {
            MappedEvent delete = change(3, "on", 125).withKind(MappedEvent.Kind.DELETE);
            assertThat(a.apply(delete)).isEqualTo(new Outcome.Delete(new DocId.Uint(3), 125));
        }
    }

    @Test
    void aTransformThatThrowsIsATransformFailureForTheDlq() throws Exception {
        Transform broken = (event, id, ctx) -> {
            throw new IllegalStateException("no title today");
        };
        try (MappingActions a = actions("", broken)) {
            Outcome o = a.apply(change(4, "on", 126));
            assertThat(o).isInstanceOf(Failure.class);
            Failure f = (Failure) o;
            assertThat(f.kind()).isEqualTo(FailureKind.TRANSFORM);
            assertThat(f.docId()).isEqualTo("4");
            assertThat(f.message()).isEqualTo("no title today");
            assertThat(f.detail()).contains("IllegalStateException").contains("MappingActionsTest");
        }
    }

    @Test
    void aTransformsErrorKeepsItsKindAndAnUnknownKindIsTheTransforms() throws Exception {
        Transform typed = (event, id, ctx) -> new Action.Error(FailureKind.TYPE, "not a number", "");
        try (MappingActions a = actions("", typed)) {
            assertThat(a.apply(change(5, "on", 127))).isEqualTo(new Failure(FailureKind.TYPE, "5", "not a number", ""));
        }
        Transform custom = (event, id, ctx) -> new Action.Error("my_check", "title too short", "");
        try (MappingActions a = actions("", custom)) {
            assertThat(a.apply(change(6, "on", 128)))
                    .isEqualTo(new Failure(FailureKind.TRANSFORM, "6", "my_check: title too short", ""));
        }
    }

    @Test
    void aPredicateThatDoesNotBindToTheRowIsAMembershipFailure() throws Exception {
        try (MappingActions a = actions(DSL, TITLE)) {
            Row row = Row.builder() // status changed type to one the DSL cannot compare
                    .put("id", "int8", 7L)
                    .put("title", "text", "t7")
                    .put("status", "bytea", new byte[] {1})
                    .build();
            Outcome o = a.apply(new MappedEvent(
                    "7", MappedEvent.Kind.CHANGE, new RowEvent(Op.UPDATE, ITEMS, null, row, 129, 7, Instant.EPOCH)));
            assertThat(o).isInstanceOf(Failure.class);
            assertThat(((Failure) o).kind()).isEqualTo(FailureKind.MEMBERSHIP);
            assertThat(((Failure) o).message()).startsWith("membership predicate: ");
        }
    }

    @Test
    void aSkipWritesNothing() throws Exception {
        try (MappingActions a = actions("", (event, id, ctx) -> new Action.Skip("draft"))) {
            assertThat(a.apply(change(8, "on", 130))).isEqualTo(new Outcome.Skip("draft"));
        }
    }

    private static String json(MappingActions a, Outcome.Write w) {
        return new String(a.requests().batch(List.of(w)).body(), StandardCharsets.UTF_8);
    }
}
