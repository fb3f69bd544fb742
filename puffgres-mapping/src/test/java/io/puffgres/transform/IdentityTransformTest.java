package io.puffgres.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.puffgres.document.AttributeSchema;
import io.puffgres.document.DocId;
import io.puffgres.document.Document;
import io.puffgres.event.Op;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdentityTransformTest {

    private static RowEvent insert(Row row) {
        return new RowEvent(Op.INSERT, new RelationId("public", "pages"), null, row, 100, 7, Instant.EPOCH);
    }

    @Test
    void upsertsEveryListedColumnButTheIdInOrder() throws Exception {
        Row row = Row.builder()
                .put("id", "int8", 1L)
                .put("title", "text", "Hello")
                .put("status", "text", "published")
                .put("views", "int4", 3L)
                .put("ignored", "text", "not listed")
                .build();
        IdentityTransform t = new IdentityTransform(
                "id", List.of("id", "views", "title", "status"), Map.of("views", AttributeSchema.ofType("float")));
        Action action = t.apply(insert(row), new DocId.Uint(1), null);
        assertThat(action)
                .isEqualTo(new Action.Upsert(new Document(
                        new DocId.Uint(1), Map.of("views", 3.0, "title", "Hello", "status", "published"))));
        assertThat(((Action.Upsert) action).document().attributes().keySet())
                .containsExactly("views", "title", "status");
    }

    @Test
    void turnsABadValueIntoAnErrorNamingTheColumn() throws Exception {
        Row row = Row.builder()
                .put("id", "int8", 1L)
                .put("score", "float8", Double.NaN)
                .build();
        Action action = new IdentityTransform("id", List.of("id", "score"), Map.of())
                .apply(insert(row), new DocId.Uint(1), null);
        assertThat(action)
                .isEqualTo(new Action.Error(
                        "type",
                        "column \"score\" (float8): NaN cannot be stored: turbopuffer JSON has no NaN or Infinity",
                        ""));
    }

    @Test
    void reportsAListedColumnMissingFromTheRow() throws Exception {
        Row row = Row.builder().put("id", "int8", 1L).build();
        Action action = new IdentityTransform("id", List.of("id", "body"), Map.of())
                .apply(insert(row), new DocId.Uint(1), null);
        assertThat(action)
                .isEqualTo(
                        new Action.Error("attribute", "column \"body\" is missing from the row of public.pages", ""));
    }

    @Test
    void refusesColumnNamesTurbopufferCannotStore() {
        assertThatThrownBy(() -> new IdentityTransform("pk", List.of("pk", "id", "$x"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attribute name \"id\" is reserved for the document id; attribute name \"$x\" starts with"
                        + " '$', which turbopuffer reserves");
    }
}
