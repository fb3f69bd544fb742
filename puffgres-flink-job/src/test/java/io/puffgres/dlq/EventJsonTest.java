package io.puffgres.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.junit.jupiter.api.Test;

class EventJsonTest {

    @Test
    void decodesWhatItEncodedForEveryValueTypeARowCanHold() {
        Row after = Row.builder()
                .put("id", "int8", Long.MIN_VALUE)
                .put("f", "float8", -0.5)
                .put("whole", "float8", 3.0)
                .put("nan", "float4", Double.NaN)
                .put("inf", "float8", Double.NEGATIVE_INFINITY)
                .put("b", "bool", true)
                .put("t", "text", "é\n\"quoted\"")
                .put("j", "jsonb", "{\"a\": [1, 2]}")
                .put("n", "numeric", new BigDecimal("-12345678901234567890.000123"))
                .put("u", "uuid", UUID.randomUUID())
                .put("tz", "timestamptz", Instant.parse("2024-05-01T10:15:30.123456789Z"))
                .put("ts", "timestamp", LocalDateTime.parse("1999-12-31T23:59:59.999999"))
                .put("d", "date", LocalDate.parse("0001-01-01"))
                .put("tm", "time", LocalTime.parse("12:30:00.000001"))
                .put("ttz", "timetz", "12:30:00+02")
                .put("by", "bytea", new byte[] {0, 1, -1})
                .put("v", "vector", new float[] {0.5f, -1.25f})
                .put("arr", "text[]", Arrays.asList("a", null, "c"))
                .put("nested", "int4[]", List.of(List.of(1L, 2L), List.of()))
                .put("dates", "date[]", List.of(LocalDate.parse("2024-02-29")))
                .put("toast", "bytea", Unavailable.VALUE)
                .put("nul", "text", null)
                .build();
        RowEvent e = new RowEvent(
                Op.UPDATE,
                new RelationId("public", "pages"),
                Row.builder().put("id", "int8", 1L).build(),
                after,
                0xFFFFFFFF_00000010L,
                42,
                Instant.parse("2024-05-01T10:15:31Z"));

        RowEvent back = EventJson.decode(EventJson.encode(e));

        assertThat(back).isEqualTo(e); // Row compares values deeply (bytea, vectors)
        assertThat(back.lsn()).isEqualTo(e.lsn());
        assertThat(back.txId()).isEqualTo(42);
        assertThat(back.commitTime()).isEqualTo(e.commitTime());
        assertThat(back.after().types()).isEqualTo(after.types());
        assertThat(back.after().get("by")).isEqualTo(new byte[] {0, 1, -1});
        assertThat(back.after().get("nan")).isEqualTo(Double.NaN);
    }

    @Test
    void decodesADeleteWithoutNewRow() {
        RowEvent delete = new RowEvent(
                Op.DELETE,
                new RelationId("app", "my.table"),
                Row.builder().put("id", "uuid", UUID.randomUUID()).build(),
                null,
                7,
                -1,
                Instant.EPOCH);
        assertThat(EventJson.decode(EventJson.encode(delete))).isEqualTo(delete);
    }

    @Test
    void readsPostgresLsnNotation() {
        assertThat(EventJson.lsn("16/B374D848")).isEqualTo(0x16_B374D848L);
        assertThat(EventJson.lsn(RowEvent.lsnText(-2L))).isEqualTo(-2L);
    }

    @Test
    void rejectsTextThatIsNoStoredEvent() {
        assertThatThrownBy(() -> EventJson.decode("{\"op\": \"INSERT\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a stored event: no op or relation");
        assertThatThrownBy(() -> EventJson.decode("{nope")).hasMessageStartingWith("not a stored event: ");
    }
}
