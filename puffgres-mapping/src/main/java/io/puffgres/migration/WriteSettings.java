package io.puffgres.migration;

/** The {@code [write]} batching limits of a mapping's sink. */
public record WriteSettings(int batchMaxRows, long batchMaxBytes, long flushIntervalMs) {

    /**
     * A writer keeps 4 requests in flight, and turbopuffer commits a namespace's writes about once a second (up to ≈ 10k
     * writes/s): at 1000 rows a request one writer could not pass ≈ 4k rows/s against turbopuffer (≈ 38k/s against
     * the local emulator, where 5000 reach ≈ 60k/s); 5000 rows of ~300 bytes stay far below {@link
     * #DEFAULT_BATCH_MAX_BYTES}.
     */
    public static final int DEFAULT_BATCH_MAX_ROWS = 5000;
    /** Far below turbopuffer's 512 MB request cap; keeps one request's memory modest. */
    public static final long DEFAULT_BATCH_MAX_BYTES = 8_000_000;
    /** turbopuffer commits its WAL about once a second; half of that keeps latency low. */
    public static final long DEFAULT_FLUSH_INTERVAL_MS = 500;

    public static final long MAX_BATCH_ROWS = 100_000;
    public static final long MIN_BATCH_BYTES = 1024;
    /** Half of turbopuffer's 512 MB write request limit. */
    public static final long MAX_BATCH_BYTES = 268_435_456;

    public static final long MAX_FLUSH_INTERVAL_MS = 600_000;

    public static WriteSettings defaults() {
        return new WriteSettings(DEFAULT_BATCH_MAX_ROWS, DEFAULT_BATCH_MAX_BYTES, DEFAULT_FLUSH_INTERVAL_MS);
    }
}
