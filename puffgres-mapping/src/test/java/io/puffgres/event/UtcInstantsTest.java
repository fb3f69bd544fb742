package io.puffgres.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UtcInstantsTest {

    @Test
    void readsEveryUtcFormTheSameAsOffsetDateTime() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            long seconds = random.nextLong(-62_000_000_000L, 250_000_000_000L);
            int keep = pow10(random.nextInt(10)); // 0 to 9 fraction digits after Instant's own printing
            Instant t = Instant.ofEpochSecond(seconds, random.nextInt(1_000_000_000) / keep * keep);
            String text = t.toString();
            assertThat(UtcInstants.parseUtc(text))
                    .as(text)
                    .isEqualTo(OffsetDateTime.parse(text).toInstant());
        }
        assertThat(UtcInstants.parse("2024-05-01T12:00:00.5Z")).isEqualTo(Instant.parse("2024-05-01T12:00:00.500Z"));
        assertThat(UtcInstants.parse("2024-02-29T23:59:59.123456789Z"))
                .isEqualTo(Instant.parse("2024-02-29T23:59:59.123456789Z"));
    }

    @Test
    void leavesOtherFormsToOffsetDateTimeWhichRejectsWhatIsNoDatetime() {
        assertThat(UtcInstants.parseUtc("2024-05-01T12:00:00+02:00")).isNull();
        assertThat(UtcInstants.parse("2024-05-01T12:00:00+02:00")).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
        assertThat(UtcInstants.parseUtc("2024-05-01T12:00:00.Z")).isNull(); // java.time reads an empty fraction
        assertThat(UtcInstants.parse("2024-05-01T12:00:00.Z")).isEqualTo(Instant.parse("2024-05-01T12:00:00Z"));
        assertThat(UtcInstants.parse("+12024-05-01T12:00:00Z"))
                .isEqualTo(OffsetDateTime.parse("+12024-05-01T12:00:00Z").toInstant());
        for (String bad : List.of(
                "2023-02-29T00:00:00Z",
                "2024-13-01T00:00:00Z",
                "2024-05-01T24:00:00Z",
                "2024-05-01T12:00:00.1234567890Z",
                "2024-05-01 12:00:00Z",
                "soon")) {
            assertThat(UtcInstants.parseUtc(bad)).as(bad).isNull();
            assertThatThrownBy(() -> UtcInstants.parse(bad)).as(bad).isInstanceOf(DateTimeParseException.class);
        }
    }

    private static int pow10(int n) {
        int v = 1;
        for (int i = 0; i < n; i++) {
            v *= 10;
        }
        return v;
    }
}
