package io.puffgres.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.puffgres.document.DocId;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonValuesTest {

    private static String json(Object value) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            JsonValues.write(g, value);
        }
        return out.toString();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "0000-01-01T00:00:00Z",
                "1969-12-31T23:59:59.999999999Z",
                "1970-01-01T00:00:00Z",
                "1970-01-01T00:00:00.001Z",
                "1970-01-01T00:00:00.000001Z",
                "1970-01-01T00:00:00.000000001Z",
                "2000-02-29T12:34:56.120Z",
                "2026-12-01T09:01:22.123456Z",
                "9999-12-31T23:59:59.999999999Z",
                "-0001-12-31T23:59:59Z",
                "+10000-01-01T00:00:00Z",
                "-1000000000-01-01T00:00:00Z"
            })
    void instantsAreWrittenAsInstantToStringWritesThem(String text) throws IOException {
        Instant t = Instant.parse(text);
        assertThat(json(t)).isEqualTo("\"" + t + "\"");
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void randomInstantsAreWrittenAsInstantToStringWritesThem(long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 20_000; i++) {
            long second = random.nextLong(-62_300_000_000L, 253_500_000_000L);
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(second, nano);
            assertThat(json(t)).as("epoch second %d, nano %d", second, nano).isEqualTo("\"" + t + "\"");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(longs = {0, 1, Long.MAX_VALUE, Long.MIN_VALUE, -1})
    void unsignedIdsAreWrittenAsUnsignedNumbers(long value) throws IOException {
        assertThat(json(new DocId.Uint(value))).isEqualTo(Long.toUnsignedString(value));
    }
}
