package io.puffgres.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorPolicyTest {

    private static Function<String, String> headers(Map<String, String> h) {
        return name -> h.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(null);
    }

    private static final Function<String, String> NONE = name -> null;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0, TRANSIENT", "408, TRANSIENT", "409, TRANSIENT", "429, TRANSIENT", "500, TRANSIENT", "502, TRANSIENT",
        "503, TRANSIENT", "400, PERMANENT", "413, PERMANENT", "422, PERMANENT", "404, NOT_FOUND", "401, AUTH",
        "403, AUTH"
    })
    void classifiesEveryStatusInOnePlace(int status, ErrorKind kind) {
        assertThat(ErrorPolicy.classify(status)).isEqualTo(kind);
        assertThat(ErrorPolicy.defaults().shouldRetry(status, NONE)).isEqualTo(kind == ErrorKind.TRANSIENT);
    }

    @Test
    void xShouldRetryOverridesTheStatus() {
        ErrorPolicy p = ErrorPolicy.defaults();
        assertThat(p.shouldRetry(500, headers(Map.of("x-should-retry", "false"))))
                .isFalse();
        assertThat(p.shouldRetry(400, headers(Map.of("X-Should-Retry", "true"))))
                .isTrue();
    }

    @Test
    void honoursServerRequestedDelays() {
        ErrorPolicy p = ErrorPolicy.defaults();
        assertThat(p.delay(1, headers(Map.of("retry-after-ms", "1500")))).isEqualTo(Duration.ofMillis(1500));
        assertThat(p.delay(1, headers(Map.of("Retry-After", "2")))).isEqualTo(Duration.ofSeconds(2));
        String date = ZonedDateTime.now().plusSeconds(20).format(DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(p.delay(1, headers(Map.of("Retry-After", date))))
                .isBetween(Duration.ofSeconds(18), Duration.ofSeconds(20));
        // beyond 30 minutes the server's wish is ignored and backoff applies
        assertThat(p.delay(1, headers(Map.of("Retry-After", "7200")))).isLessThanOrEqualTo(Duration.ofMillis(250));
    }

    @Test
    void backsOffExponentiallyWithJitterUpToTheCap() {
        ErrorPolicy p = ErrorPolicy.defaults();
        for (int i = 0; i < 50; i++) {
            assertThat(p.delay(1, NONE).toMillis()).isBetween(187L, 250L);
            assertThat(p.delay(3, NONE).toMillis()).isBetween(750L, 1000L);
            assertThat(p.delay(10, NONE).toMillis()).isBetween(6000L, 8000L);
            assertThat(p.delay(100, NONE).toMillis()).isBetween(6000L, 8000L);
        }
    }

    @Test
    void countsAttempts() {
        assertThat(ErrorPolicy.defaults().attemptsLeft(4)).isTrue();
        assertThat(ErrorPolicy.defaults().attemptsLeft(5)).isFalse();
        assertThat(ErrorPolicy.unlimited().attemptsLeft(1_000_000)).isTrue();
    }
}
