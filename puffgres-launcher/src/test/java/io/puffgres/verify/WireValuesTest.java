package io.puffgres.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WireValuesTest {

    @Test
    void datetimesAreEqualToTheMillisecondTurbopufferKeeps() {
        Instant micros = Instant.parse("2024-05-01T10:00:05.123456Z");
        assertThat(WireValues.same(micros, "2024-05-01T10:00:05.123Z", "datetime"))
                .isTrue();
        assertThat(WireValues.same(micros, "2024-05-01T10:00:05.123999Z", null)).isTrue();
        assertThat(WireValues.same(micros, "2024-05-01T12:00:05.123+02:00", "datetime"))
                .isTrue();
        assertThat(WireValues.same(micros, "2024-05-01T10:00:05.124Z", "datetime"))
                .isFalse();
        assertThat(WireValues.same(
                        List.of(micros, Instant.EPOCH),
                        List.of("2024-05-01T10:00:05.123Z", "1970-01-01"),
                        "[]datetime"))
                .isTrue();
    }

    @Test
    void uuidsAreEqualWhateverTheirCase() {
        UUID u = UUID.fromString("a0000000-0000-4000-8000-000000000006");
        assertThat(WireValues.same(u, "A0000000-0000-4000-8000-000000000006", "uuid"))
                .isTrue();
        assertThat(WireValues.same(u, "A0000000-0000-4000-8000-000000000006", null))
                .isTrue();
        assertThat(WireValues.same(u, "a0000000-0000-4000-8000-000000000007", "uuid"))
                .isFalse();
    }

    @Test
    void floatsAreCompared64BitAndIntegersByValue() {
        assertThat(WireValues.same(0.1 + 0.2, 0.30000000000000004, "float")).isTrue();
        assertThat(WireValues.same(0.1 + 0.2, 0.3, "float")).isFalse();
        assertThat(WireValues.same(2L, 2.0, "float")).isTrue();
        assertThat(WireValues.same(3.0, 3, "int")).isTrue();
        assertThat(WireValues.same(Long.MAX_VALUE, new BigInteger(Long.toString(Long.MAX_VALUE)), "uint"))
                .isTrue();
        assertThat(WireValues.same(7L, 8, "int")).isFalse();
    }

    @Test
    void vectorsAreComparedAs32BitFloatsWhicheverWayTheyComeBack() {
        float[] v = {0.1f, 0.2f, -3.5f};
        assertThat(WireValues.same(v, List.of(0.1, 0.2, -3.5), "[3]f32")).isTrue();
        assertThat(WireValues.same(v, List.of(0.10000000149011612, 0.20000000298023224, -3.5), "[3]f32"))
                .isTrue();
        assertThat(WireValues.same(v, List.of(0.1, 0.2, -3.5), null)).isTrue();
        assertThat(WireValues.same(v, List.of(0.1, 0.2000001, -3.5), "[3]f32")).isFalse();
    }

    @Test
    void halfPrecisionVectorsAreRoundedToElevenSignificantBits() {
        assertThat(WireValues.same(new float[] {0.1f, 1000.3f}, List.of(0.0999755859375, 1000.5), "[2]f16"))
                .isTrue();
        assertThat(WireValues.same(new float[] {0.1f}, List.of(0.2), "[1]f16")).isFalse();
    }

    @Test
    void nullIsAnAbsentAttribute() {
        assertThat(WireValues.same(null, null, "string")).isTrue();
        assertThat(WireValues.same(null, "x", "string")).isFalse();
        assertThat(WireValues.same(List.of("a", "b"), List.of("a", "b"), "[]string"))
                .isTrue();
        assertThat(WireValues.same(List.of("a", "b"), List.of("b", "a"), "[]string"))
                .isFalse();
    }

    @Test
    void showsValuesShortAndAbsenceByName() {
        assertThat(WireValues.show(null)).isEqualTo("(absent)");
        assertThat(WireValues.show("tampered")).isEqualTo("\"tampered\"");
        assertThat(WireValues.show(new float[] {1, 2})).isEqualTo("[1.0, 2.0]");
        assertThat(WireValues.show("x".repeat(100)))
                .hasSize(WireValues.MAX_SHOWN)
                .endsWith("...");
    }
}
