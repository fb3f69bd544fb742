package io.puffgres.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.puffgres.event.PgType;
import io.puffgres.event.Row;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BoundPredicateTest {

    private static final Map<String, PgType> TYPES = Map.of(
            "status", PgType.of("text"),
            "deleted_at", PgType.of("timestamptz"),
            "org_id", PgType.of("bigint"),
            "is_public", PgType.of("boolean"),
            "tags", PgType.of("text[]"),
            "meta", PgType.of("jsonb"));

    private static Row row(String status, Long orgId, Boolean isPublic) {
        return Row.builder()
                .put("status", "text", status)
                .put("deleted_at", "timestamptz", null)
                .put("org_id", "int8", orgId)
                .put("is_public", "bool", isPublic)
                .build();
    }

    private static Tri eval(String predicate, Row row) throws Exception {
        return PredicateParser.parse(predicate).bind(TYPES).test(row);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            status = 'published'                          | TRUE
            status <> 'published'                         | FALSE
            org_id = NULL                                 | UNKNOWN
            org_id != NULL                                | UNKNOWN
            is_public = TRUE                              | UNKNOWN
            NOT is_public = TRUE                          | UNKNOWN
            is_public = TRUE OR status = 'published'      | TRUE
            is_public = TRUE AND status = 'published'     | UNKNOWN
            is_public = TRUE AND status = 'draft'         | FALSE
            is_public IS NULL AND deleted_at IS NULL      | TRUE
            is_public IS NOT NULL OR org_id = '42'        | TRUE
            org_id = 42.0                                 | TRUE
            org_id = 42.5                                 | FALSE
            """)
    void evaluatesWithThreeValuedLogic(String predicate, Tri expected) throws Exception {
        assertThat(eval(predicate, row("published", 42L, null))).isEqualTo(expected);
    }

    @Test
    void membershipRequiresTrue() throws Exception {
        BoundPredicate p = PredicateParser.parse("is_public = TRUE").bind(TYPES);
        assertThat(p.matches(row("x", 1L, true))).isTrue();
        assertThat(p.matches(row("x", 1L, false))).isFalse();
        assertThat(p.matches(row("x", 1L, null))).isFalse();
    }

    @Test
    void reportsEveryTypeProblemLikePostgres() throws Exception {
        Predicate p = PredicateParser.parse(
                "status = 5 AND 1 = is_public AND org_id = 'abc' AND nope IS NULL AND tags = 'x' AND meta = '{}'");
        assertThatThrownBy(() -> p.bind(TYPES))
                .isInstanceOfSatisfying(
                        PredicateTypeException.class,
                        e -> assertThat(e.problems())
                                .containsExactly(
                                        "operator does not exist: text = integer (column \"status\")",
                                        "operator does not exist: integer = boolean (column \"is_public\")",
                                        "invalid input syntax for type bigint: \"abc\"",
                                        "column \"nope\" does not exist",
                                        "column \"tags\" is an array (text[]); the membership DSL compares scalar columns only",
                                        "column \"meta\" has type jsonb, which the membership DSL cannot compare (supported:"
                                                + " integer, numeric, real, double precision, boolean, text, uuid, date,"
                                                + " timestamp types)"));
    }

    @Test
    void failsLoudlyWhenTheRowLacksAPredicateColumn() throws Exception {
        BoundPredicate p = PredicateParser.parse("status = 'x'").bind(TYPES);
        Row partial = Row.builder().put("org_id", "int8", 1L).build();
        assertThatThrownBy(() -> p.test(partial))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the row has no column \"status\" for the membership predicate");
    }
}
