package io.puffgres.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RowTest {

    private static Row pageRow(long id, String title) {
        return Row.builder().put("id", "int8", id).put("title", "text", title).build();
    }

    @Test
    void readsColumnsByNameInOrderAndTellsNullFromAbsent() {
        Row row = Row.builder()
                .put("id", "int8", 1L)
                .put("title", "text", null)
                .put("tags", new PgType("text", true), List.of("a", "b"))
                .build();
        assertThat(row.columns()).containsExactly("id", "title", "tags");
        assertThat(row.get("id")).isEqualTo(1L);
        assertThat(row.has("title")).isTrue();
        assertThat(row.get("title")).isNull();
        assertThat(row.has("body")).isFalse();
        assertThat(row.get("body")).isNull();
        assertThat(row.type("body")).isNull();
        assertThat(row.type("tags")).isEqualTo(new PgType("text", true));
        assertThat(row.values().keySet()).containsExactly("id", "title", "tags");
        assertThat(row.values()).containsEntry("title", null).containsEntry("tags", List.of("a", "b"));
        assertThat(row.toString()).isEqualTo("{id=1, title=null, tags=[a, b]}");
    }

    @Test
    void aColumnPutAgainKeepsItsPlaceAndTakesTheLaterTypeAndValue() {
        Row row = Row.builder()
                .put("id", "int8", 1L)
                .put("title", "text", "old")
                .put("n", "int4", 1L)
                .put("title", "varchar", "new")
                .build();
        assertThat(row.columns()).containsExactly("id", "title", "n");
        assertThat(row.get("title")).isEqualTo("new");
        assertThat(row.type("title")).isEqualTo(PgType.of("varchar"));
        assertThat(row.get("n")).isEqualTo(1L);
    }

    @Test
    void rowsOfOneShapeShareTheirTypesAmongInterleavedShapes() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rows.add(pageRow(i, "t" + i));
            rows.add(Row.builder().put("org", "int8", (long) i).build());
        }
        assertThat(rows.get(0).types()).isSameAs(rows.get(10).types());
        assertThat(rows.get(1).types()).isSameAs(rows.get(11).types());
        assertThat(rows.get(10).get("title")).isEqualTo("t5");
        assertThat(rows.get(11).get("org")).isEqualTo(5L);
        // the same name with another type is another shape
        Row text = Row.builder().put("org", "text", "x").build();
        assertThat(text.type("org")).isEqualTo(PgType.of("text"));
        assertThat(rows.get(11).type("org")).isEqualTo(PgType.of("int8"));
    }

    @Test
    void equalRowsHaveEqualColumnsTypesAndValuesInAnyOrder() {
        Row a = Row.builder()
                .put("id", "int8", 1L)
                .put("v", "bytea", new byte[] {1, 2})
                .build();
        Row b = Row.builder()
                .put("v", "bytea", new byte[] {1, 2})
                .put("id", "int8", 1L)
                .build();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a)
                .isNotEqualTo(Row.builder()
                        .put("id", "int8", 2L)
                        .put("v", "bytea", new byte[] {1, 2})
                        .build());
        assertThat(a)
                .isNotEqualTo(Row.builder()
                        .put("id", "int4", 1L)
                        .put("v", "bytea", new byte[] {1, 2})
                        .build());
        assertThat(a).isNotEqualTo(pageRow(1, null));
    }

    @Test
    void tellsAValueTheChangeDidNotCarryFromAnyOther() {
        Row row = Row.builder()
                .put("id", "int8", 1L)
                .put("body", "text", Unavailable.VALUE)
                .put("note", "text", Unavailable.TEXT) // a text that happens to read like the marker is text
                .put("nul", "text", null)
                .build();
        assertThat(row.isUnavailable("body")).isTrue();
        assertThat(row.isUnavailable("note")).isFalse();
        assertThat(row.isUnavailable("nul")).isFalse();
        assertThat(row.isUnavailable("missing")).isFalse();
        assertThat(row.hasUnavailable()).isTrue();
        assertThat(row.only(java.util.Set.of("id", "note")).hasUnavailable()).isFalse();
    }

    @Test
    void keepsOnlyTheGivenColumnsInRowOrder() {
        Row row = Row.builder()
                .put("id", "int8", 1L)
                .put("ssn", "text", "123-45-6789")
                .put("title", "text", null)
                .build();
        Row kept = row.only(Set.of("title", "id", "nosuch"));
        assertThat(kept.columns()).containsExactly("id", "title");
        assertThat(kept.has("ssn")).isFalse();
        assertThat(kept.has("title")).isTrue();
        assertThat(kept.get("id")).isEqualTo(1L);
        assertThat(kept.only(Set.of("id", "title"))).isSameAs(kept);
    }
}
