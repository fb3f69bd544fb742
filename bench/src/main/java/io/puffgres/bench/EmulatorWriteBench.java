package io.puffgres.bench;

import io.puffgres.emulator.Emulator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Emulator write throughput: documents/s of 1,000-document {@code upsert_columns} requests (10 attributes each)
 * over HTTP on loopback, from four client threads into four namespaces. Run: bench/run EmulatorWriteBench
 */
public final class EmulatorWriteBench {

    static final int DOCS_PER_REQUEST = 1000;
    static final int CLIENTS = 4;
    static final long MEASURE_NANOS = 10_000_000_000L;

    public static void main(String[] args) throws Exception {
        try (Emulator emulator = Emulator.start(0, null)) {
            HttpClient http = HttpClient.newHttpClient();
            // warm-up, then the measured run
            run(emulator, http, 3_000_000_000L, "warm-up");
            emulator.reset();
            double docsPerSecond = run(emulator, http, MEASURE_NANOS, "measured");
            System.out.printf(
                    "emulator writes: %,.0f documents/s (1k-document upsert_columns, %d clients)%n",
                    docsPerSecond, CLIENTS);
            System.out.printf("ratio to turbopuffer's ~10k writes/s per namespace: %.1fx%n", docsPerSecond / 10_000);
        }
    }

    private static double run(Emulator emulator, HttpClient http, long nanos, String label) throws Exception {
        AtomicLong docs = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            futures.add(pool.submit(() -> {
                long next = client * 1_000_000_000L;
                while (System.nanoTime() - start < nanos) {
                    String body = batch(next);
                    next += DOCS_PER_REQUEST;
                    HttpResponse<String> r = send(http, emulator.baseUrl() + "/v2/namespaces/bench-" + client, body);
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("write failed: " + r.statusCode() + " " + r.body());
                    }
                    docs.addAndGet(DOCS_PER_REQUEST);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        double rate = docs.get() * 1e9 / (System.nanoTime() - start);
        System.out.printf("  %s: %,d documents, %,.0f documents/s%n", label, docs.get(), rate);
        return rate;
    }

    private static HttpResponse<String> send(HttpClient http, String url, String body) {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A realistic page-like batch as columns: id, title, body, status, org_id, views, score, tags, flags, time. */
    static String batch(long firstId) {
        StringBuilder ids = new StringBuilder();
        StringBuilder title = new StringBuilder();
        StringBuilder body = new StringBuilder();
        StringBuilder status = new StringBuilder();
        StringBuilder org = new StringBuilder();
        StringBuilder views = new StringBuilder();
        StringBuilder score = new StringBuilder();
        StringBuilder tags = new StringBuilder();
        StringBuilder published = new StringBuilder();
        StringBuilder updated = new StringBuilder();
        for (int i = 0; i < DOCS_PER_REQUEST; i++) {
            String sep = i == 0 ? "" : ",";
            long id = firstId + i;
            ids.append(sep).append(id);
            title.append(sep).append("\"Page ").append(id).append(" about Postgres and search\"");
            body.append(sep)
                    .append("\"")
                    .append("Logical decoding streams every change. ".repeat(4))
                    .append("\"");
            status.append(sep).append(i % 5 == 0 ? "\"draft\"" : "\"published\"");
            org.append(sep).append(id % 97);
            views.append(sep).append(id * 7 % 10_000);
            score.append(sep).append((id % 1000) / 10.0);
            tags.append(sep).append("[\"postgres\",\"cdc\"]");
            published.append(sep).append(i % 2 == 0);
            updated.append(sep).append("\"2026-11-25T10:00:00Z\"");
        }
        return "{\"upsert_columns\":{\"id\":[" + ids + "],\"title\":[" + title + "],\"body\":[" + body
                + "],\"status\":["
                + status + "],\"org_id\":[" + org + "],\"views\":[" + views + "],\"score\":[" + score + "],\"tags\":["
                + tags + "],\"published\":[" + published + "],\"updated_at\":[" + updated + "]},"
                + "\"schema\":{\"updated_at\":\"datetime\",\"score\":\"float\"}}";
    }
}
