package io.puffgres.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.puffgres.event.Op;
import io.puffgres.event.RelationId;
import io.puffgres.event.Row;
import io.puffgres.event.RowEvent;
import io.puffgres.event.Unavailable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class RowEventSerializerTest {

    private static RowEvent roundTrip(RowEvent e) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        RowEventSerializer.INSTANCE.serialize(e, out);
        return RowEventSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void roundTripsEveryValueTypeARowCanHold() throws Exception {
        Row after = Row.builder()
                .put("id", "int8", Long.MIN_VALUE)
                .put("f", "float8", -0.5)
                .put("b", "bool", true)
                .put("t", "text", "é".repeat(40_000)) // beyond writeUTF's 64 KiB
                .put("n", "numeric", new BigDecimal("-12345678901234567890.000123"))
                .put("u", "uuid", UUID.randomUUID())
                .put("tz", "timestamptz", Instant.parse("2024-05-01T10:15:30.123456789Z"))
                .put("ts", "timestamp", LocalDateTime.parse("1999-12-31T23:59:59.999999"))
                .put("d", "date", LocalDate.parse("0001-01-01"))
                .put("tm", "time", LocalTime.parse("12:30:00.000001"))
                .put("by", "bytea", new byte[] {0, 1, -1})
                .put("v", "vector", new float[] {0.5f, Float.MIN_VALUE})
                .put("arr", "text[]", Arrays.asList("a", null, "c"))
                .put("nested", "int4[]", List.of(List.of(1L, 2L), List.of()))
                .put("nul", "text", null)
                .put("toast", "text", Unavailable.VALUE)
                .build();
        RowEvent e = new RowEvent(
                Op.UPDATE,
                new RelationId("public", "pages"),
                Row.builder().put("id", "int8", 1L).build(),
                after,
                Long.MAX_VALUE,
                42,
                Instant.parse("2024-05-01T10:15:31Z"));
        RowEvent back = roundTrip(e);
        assertThat(back).isEqualTo(e);
        assertThat(back.after().types()).isEqualTo(after.types());
        assertThat((float[]) back.after().get("v")).containsExactly(0.5f, Float.MIN_VALUE);
        assertThat(back.after().get("arr")).isEqualTo(Arrays.asList("a", null, "c"));
        assertThat(back.after().isUnavailable("toast")).isTrue();
    }

    @Test
    void roundTripsEventsWithoutRowImages() throws Exception {
        RowEvent truncate = new RowEvent(Op.TRUNCATE, new RelationId("s", "t"), null, null, 7, -1, Instant.EPOCH);
        assertThat(roundTrip(truncate)).isEqualTo(truncate);
    }
}
