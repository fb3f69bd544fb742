package io.puffgres.client;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The one place that maps turbopuffer answers to an {@link ErrorKind}, decides whether to retry, and how long to
 * wait — the same rules as turbopuffer's own SDKs: {@code x-should-retry} overrides everything; then connection
 * errors, 408, 409, 429 and 5xx retry; the delay is {@code retry-after-ms}, else {@code Retry-After} (seconds or an
 * HTTP date) when within 0–30 minutes, else exponential backoff {@code min(base·2^(n−1), max)} times a jitter in
 * (0.75, 1].
 *
 * @param maxAttempts attempts in all, 0 for unlimited (the sink's default: transient errors back-pressure instead
 *     of failing)
 */
public record ErrorPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {

    /** turbopuffer's SDKs start at 0.25 s. */
    public static final Duration DEFAULT_BASE_DELAY = Duration.ofMillis(250);
    /** …and cap a single wait at 8 s. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(8);
    /** A server-requested wait longer than this is ignored (SDK rule). */
    static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(30);

    /** Five attempts, as the SDKs. */
    public static ErrorPolicy defaults() {
        return new ErrorPolicy(5, DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY);
    }

    /** Never gives up on transient errors. */
    public static ErrorPolicy unlimited() {
        return new ErrorPolicy(0, DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY);
    }

    /** This policy with another number of attempts in all (0 for unlimited). */
    public ErrorPolicy withMaxAttempts(int attempts) {
        return new ErrorPolicy(attempts, baseDelay, maxDelay);
    }

    /** The kind of an HTTP status; 0 stands for a connection failure or timeout. */
    public static ErrorKind classify(int status) {
        if (status == 0 || status == 408 || status == 409 || status == 429 || status >= 500) {
            return ErrorKind.TRANSIENT;
        }
        if (status == 401 || status == 403) {
            return ErrorKind.AUTH;
        }
        return status == 404 ? ErrorKind.NOT_FOUND : ErrorKind.PERMANENT;
    }

    /** Whether an answer with {@code status} and headers (by name, case-insensitive) should be retried. */
    public boolean shouldRetry(int status, Function<String, String> header) {
        String override = header.apply("x-should-retry");
        if ("true".equalsIgnoreCase(override)) {
            return true;
        }
        if ("false".equalsIgnoreCase(override)) {
            return false;
        }
        return classify(status) == ErrorKind.TRANSIENT;
    }

    /** Whether attempt number {@code attempt} (1-based, just failed) may be followed by another. */
    public boolean attemptsLeft(int attempt) {
        return maxAttempts == 0 || attempt < maxAttempts;
    }

    /** How long to wait after failed attempt {@code attempt} (1-based). */
    public Duration delay(int attempt, Function<String, String> header) {
        Duration requested = requested(header);
        if (requested != null) {
            return requested;
        }
        long base = baseDelay.toMillis();
        long exp =
                attempt >= 31 ? maxDelay.toMillis() : Math.min(maxDelay.toMillis(), base << Math.max(0, attempt - 1));
        double jitter = 1 - ThreadLocalRandom.current().nextDouble(0, 0.25);
        return Duration.ofMillis((long) (exp * jitter));
    }

    private static Duration requested(Function<String, String> header) {
        String ms = header.apply("retry-after-ms");
        if (ms != null) {
            try {
                return bounded(Duration.ofMillis((long) Double.parseDouble(ms.strip())));
            } catch (NumberFormatException e) {
                // fall through to Retry-After
            }
        }
        String after = header.apply("Retry-After");
        if (after == null) {
            return null;
        }
        try {
            return bounded(Duration.ofMillis((long) (Double.parseDouble(after.strip()) * 1000)));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(after.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
                return bounded(Duration.between(ZonedDateTime.now(at.getZone()), at));
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    private static Duration bounded(Duration d) {
        return d.isNegative() || d.compareTo(MAX_RETRY_AFTER) > 0 ? null : d;
    }
}
