package io.puffgres.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fault injection for reliability tests: a FIFO queue of faults consumed one per API request, plus rates applied
 * when the queue is empty. Settable in code, at start, and through {@code POST /_emulator/faults}. Thread-safe.
 */
public final class Faults {

    /**
     * One injected fault.
     *
     * @param status HTTP status to answer with (0 = none: only latency)
     * @param retryAfterMs value of a {@code retry-after-ms} header, or null
     * @param retryAfterSeconds value of a {@code Retry-After} header, or null
     * @param shouldRetry value of an {@code x-should-retry} header, or null
     * @param drop close the connection without answering
     * @param latencyMs delay before the request is handled
     */
    public record Fault(
            int status,
            Long retryAfterMs,
            Integer retryAfterSeconds,
            Boolean shouldRetry,
            boolean drop,
            long latencyMs) {

        public static Fault status(int status) {
            return new Fault(status, null, null, null, false, 0);
        }

        public static Fault throttle(int retryAfterSeconds) {
            return new Fault(429, null, retryAfterSeconds, null, false, 0);
        }

        public static Fault dropConnection() {
            return new Fault(0, null, null, null, true, 0);
        }

        public static Fault latency(long ms) {
            return new Fault(0, null, null, null, false, ms);
        }

        static Fault fromJson(JsonNode f) {
            return new Fault(
                    f.path("status").asInt(0),
                    f.hasNonNull("retry_after_ms") ? f.get("retry_after_ms").asLong() : null,
                    f.hasNonNull("retry_after") ? f.get("retry_after").asInt() : null,
                    f.hasNonNull("should_retry") ? f.get("should_retry").asBoolean() : null,
                    f.path("drop").asBoolean(false),
                    f.path("latency_ms").asLong(0));
        }

        String kind() {
            return drop ? "drop" : status != 0 ? Integer.toString(status) : "latency";
        }
    }

    private final ConcurrentLinkedDeque<Fault> queue = new ConcurrentLinkedDeque<>();
    private final Map<Fault, Double> rates = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> injected = new ConcurrentHashMap<>();

    /** Queues faults for the next requests, in order. */
    public Faults enqueue(Fault... faults) {
        queue.addAll(java.util.List.of(faults));
        return this;
    }

    /** Injects {@code fault} into this fraction (0..1) of the requests that find the queue empty. */
    public Faults rate(Fault fault, double probability) {
        rates.put(fault, probability);
        return this;
    }

    /** Drops every queued fault and rate. */
    public void clear() {
        queue.clear();
        rates.clear();
    }

    /** Zeroes the counters of injected faults. */
    void resetCounters() {
        injected.clear();
    }

    /** How many faults of each kind ("429", "drop", "latency", …) were injected. */
    public Map<String, Long> injected() {
        Map<String, Long> out = new java.util.TreeMap<>();
        injected.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Applies {@code {"queue": [fault…], "rates": [{"fault": {…}, "probability": p}…], "clear": bool}}. */
    public void configure(JsonNode body) {
        if (body.path("clear").asBoolean(false)) {
            clear();
        }
        body.path("queue").forEach(f -> queue.add(Fault.fromJson(f)));
        body.path("rates")
                .forEach(r -> rates.put(
                        Fault.fromJson(r.path("fault")), r.path("probability").asDouble()));
    }

    /** The fault for the next API request, or null. */
    Fault next() {
        Fault f = queue.poll();
        if (f == null) {
            for (Map.Entry<Fault, Double> r : rates.entrySet()) {
                if (ThreadLocalRandom.current().nextDouble() < r.getValue()) {
                    f = r.getKey();
                    break;
                }
            }
        }
        if (f != null) {
            injected.computeIfAbsent(f.kind(), k -> new LongAdder()).increment();
        }
        return f;
    }
}
