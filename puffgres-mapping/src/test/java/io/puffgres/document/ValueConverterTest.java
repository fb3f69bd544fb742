package io.puffgres.document;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.event.PgType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ValueConverterTest {

    private static Object convert(String type, Object value, AttributeSchema hint) {
        Map<String, Object> into = new LinkedHashMap<>();
        Optional<String> problem = ValueConverter.put(into, "c", PgType.of(type), value, hint);
        assertThat(problem).as("problem converting %s %s", type, value).isEmpty();
        return into.get("c");
    }

    private static Object convert(String type, Object value) {
        return convert(type, value, null);
    }

    private static String problem(String type, Object value, AttributeSchema hint) {
        return ValueConverter.put(new LinkedHashMap<>(), "c", PgType.of(type), value, hint)
                .orElseThrow();
    }

    @Test
    void convertsScalarsToTheirNaturalTurbopufferTypes() {
        assertThat(convert("int2", 7L)).isEqualTo(7L);
        assertThat(convert("bigint", Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE);
        assertThat(convert("int8", Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(convert("numeric", new BigDecimal("12.50"))).isEqualTo(12.5);
        assertThat(convert("real", 1.5)).isEqualTo(1.5);
        assertThat(convert("double precision", -0.25)).isEqualTo(-0.25);
        assertThat(convert("boolean", true)).isEqualTo(true);
        assertThat(convert("text", "héllo")).isEqualTo("héllo");
        assertThat(convert("character varying(20)", "v")).isEqualTo("v");
        UUID u = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(convert("uuid", u)).isEqualTo(u);
        assertThat(convert("jsonb", "{\"a\": 1}")).isEqualTo("{\"a\": 1}");
        assertThat(convert("bytea", new byte[] {1, 2, 3})).isEqualTo("AQID");
        assertThat(convert("time", LocalTime.of(12, 30))).isEqualTo("12:30");
        assertThat(convert("text", null)).isNull();
    }

    @Test
    void convertsDatesAndTimesToUtcDatetimes() {
        Instant at = Instant.parse("2024-05-01T10:15:30.123456Z");
        assertThat(convert("timestamptz", at)).isEqualTo(at);
        assertThat(convert("timestamp", LocalDateTime.parse("2024-05-01T10:15:30.123456")))
                .isEqualTo(at);
        assertThat(convert("date", LocalDate.parse("2024-05-01"))).isEqualTo(Instant.parse("2024-05-01T00:00:00Z"));
        assertThat(convert("timestamptz", at, AttributeSchema.ofType("string")))
                .isEqualTo("2024-05-01T10:15:30.123456Z");
    }

    @Test
    void appliesHints() {
        assertThat(convert(
                        "numeric",
                        new BigDecimal("123456789012345678901234567890.5"),
                        AttributeSchema.ofType("string")))
                .isEqualTo("123456789012345678901234567890.5");
        assertThat(convert("numeric", new BigDecimal("42.000"), AttributeSchema.ofType("uint")))
                .isEqualTo(42L);
        assertThat(convert("int4", 3L, AttributeSchema.ofType("float"))).isEqualTo(3.0);
        assertThat(convert("int4", 3L, AttributeSchema.ofType("uint"))).isEqualTo(3L);
        assertThat(convert(
                        "uuid",
                        UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
                        AttributeSchema.ofType("string")))
                .isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(convert("text", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", AttributeSchema.ofType("uuid")))
                .isEqualTo(UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
        assertThat(convert("text", "2024-01-01T00:00:00Z", AttributeSchema.ofType("datetime")))
                .isEqualTo(Instant.parse("2024-01-01T00:00:00Z"));
    }

    @Test
    void convertsArraysAndVectors() {
        assertThat(convert("text[]", List.of("a", "b"))).isEqualTo(List.of("a", "b"));
        assertThat(convert("_int4", List.of(1L, 2L))).isEqualTo(List.of(1L, 2L));
        assertThat(convert("int8[]", List.of())).isEqualTo(List.of());
        assertThat(convert("timestamptz[]", List.of(Instant.EPOCH))).isEqualTo(List.of(Instant.EPOCH));
        assertThat(convert("uuid[]", List.of(new UUID(0, 1)), AttributeSchema.ofType("[]string")))
                .isEqualTo(List.of("00000000-0000-0000-0000-000000000001"));
        float[] v = (float[]) convert("vector", new float[] {0.5f, -1f}, AttributeSchema.ofType("[2]f32"));
        assertThat(v).containsExactly(0.5f, -1f);
        assertThat((float[]) convert("vector", List.of(1.0, 2.0))).containsExactly(1f, 2f);
    }

    @Test
    void flattensJsonObjectsIntoTypedAttributes() {
        Map<String, Object> into = new LinkedHashMap<>();
        Optional<String> problem = ValueConverter.put(
                into,
                "meta",
                PgType.of("jsonb"),
                "{\"lang\":\"en\",\"words\":120,\"score\":0.5,\"draft\":false,\"tags\":[\"a\",\"b\"],\"mixed\":[1,\"x\"],"
                        + "\"nested\":{\"k\":1},\"none\":null}",
                new AttributeSchema(Optional.empty(), Map.of(), true));
        assertThat(problem).isEmpty();
        assertThat(into.keySet())
                .containsExactly(
                        "meta.lang",
                        "meta.words",
                        "meta.score",
                        "meta.draft",
                        "meta.tags",
                        "meta.mixed",
                        "meta.nested",
                        "meta.none");
        assertThat(into)
                .containsEntry("meta.lang", "en")
                .containsEntry("meta.words", 120L)
                .containsEntry("meta.score", 0.5)
                .containsEntry("meta.draft", false)
                .containsEntry("meta.tags", List.of("a", "b"))
                .containsEntry("meta.mixed", "[1,\"x\"]")
                .containsEntry("meta.nested", "{\"k\":1}");
        assertThat(into.get("meta.none")).isNull();
    }

    @Test
    void reportsValuesTurbopufferCannotHold() {
        assertThat(problem("float8", Double.NaN, null))
                .isEqualTo("column \"c\" (float8): NaN cannot be stored: turbopuffer JSON has no NaN or Infinity");
        assertThat(problem("numeric", Double.POSITIVE_INFINITY, null))
                .isEqualTo(
                        "column \"c\" (numeric): Infinity cannot be stored: turbopuffer JSON has no NaN or Infinity");
        assertThat(problem("text[]", Arrays.asList("a", null), null))
                .isEqualTo("column \"c\" (text[]): element 2 is NULL; turbopuffer arrays cannot hold NULL");
        assertThat(problem("timestamptz", java.time.OffsetDateTime.MAX.toInstant(), null))
                .isEqualTo("column \"c\" (timestamptz): +1000000000-01-01T17:59:59.999999999Z is outside the years 0000"
                        + " to 9999 a turbopuffer datetime holds (Postgres's infinity is read as the largest or smallest"
                        + " date); a string hint keeps it as text");
        assertThat(problem("date", java.time.LocalDate.MIN, null)).contains("is outside the years 0000 to 9999");
        assertThat(convert("timestamp", java.time.LocalDateTime.parse("9999-12-31T23:59:59.999")))
                .isEqualTo(Instant.parse("9999-12-31T23:59:59.999Z"));
        assertThat(problem("int4[]", List.of(List.of(1L, 2L), List.of(3L, 4L)), null))
                .isEqualTo("column \"c\" (int4[]): the array has more than one dimension; turbopuffer arrays have"
                        + " one (a transform can flatten it or write it as text)");
        assertThat(problem("int8", -1L, AttributeSchema.ofType("uint")))
                .isEqualTo("column \"c\" (int8): hint type uint needs a value >= 0 (got -1)");
        assertThat(problem("numeric", new BigDecimal("1.5"), AttributeSchema.ofType("int")))
                .isEqualTo("column \"c\" (numeric): hint type int needs a whole number within 64 bits (got 1.5)");
        assertThat(problem("vector", new float[] {1f, 2f, 3f}, AttributeSchema.ofType("[2]f32")))
                .isEqualTo("column \"c\" (vector): vector has 3 dimensions but the hint says [2]f32");
        assertThat(problem("bool", true, AttributeSchema.ofType("datetime")))
                .isEqualTo("column \"c\" (bool): the tp_schema hint type datetime does not fit this column");
        assertThat(problem("text", "x", new AttributeSchema(Optional.empty(), Map.of(), true)))
                .isEqualTo("column \"c\" (text): flatten needs a json or jsonb column");
        assertThat(problem("jsonb", "[1]", new AttributeSchema(Optional.empty(), Map.of(), true)))
                .isEqualTo("column \"c\" (jsonb): flatten needs a JSON object (got array)");
    }
}
