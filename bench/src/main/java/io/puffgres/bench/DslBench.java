package io.puffgres.bench;

import io.puffgres.event.PgType;
import io.puffgres.event.Row;
import io.puffgres.membership.BoundPredicate;
import io.puffgres.membership.PredicateParser;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Membership DSL evaluations per second of a realistic predicate on a realistic row. Run: bench/run DslBench */
public final class DslBench {

    public static void main(String[] args) throws Exception {
        Row row = Row.builder()
                .put("id", "int8", 123456L)
                .put("title", "text", "How we mirror Postgres into turbopuffer")
                .put("body", "text", "x".repeat(200))
                .put("status", "text", "published")
                .put("org_id", "int8", 42L)
                .put("is_public", "bool", false)
                .put("price", "numeric", new BigDecimal("19.99"))
                .put("author_id", "uuid", UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
                .put("updated_at", "timestamptz", Instant.parse("2026-11-25T10:00:00Z"))
                .put("deleted_at", "timestamptz", null)
                .build();
        Map<String, PgType> types = new LinkedHashMap<>(row.types());
        String text = "status = 'published' AND deleted_at IS NULL AND (org_id = 42 OR is_public = TRUE)"
                + " AND author_id != '00000000-0000-0000-0000-000000000000'";
        BoundPredicate predicate = PredicateParser.parse(text).bind(types);
        System.out.println("predicate: " + text);
        System.out.println("matches: " + predicate.matches(row));
        BenchLoop.Rate rate = BenchLoop.measure("dsl", 3, 5, () -> predicate.matches(row) ? 1 : 0);
        System.out.printf("dsl evaluations/s: %,.0f (best round; median %,.0f)%n", rate.best(), rate.median());
    }
}
