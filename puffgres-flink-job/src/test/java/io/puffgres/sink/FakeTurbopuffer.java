package io.puffgres.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * A hand-written turbopuffer for operator tests: answers every write once {@link #gate} is open and {@link
 * #latencyMs} passed, rejects with 400 a
 * request that upserts an id of {@link #poison} (as turbopuffer rejects a whole request for one bad document), or
 * answers every request with {@link #status}; records each request and every id that was ever in two requests in
 * flight at once. Thread-safe.
 */
final class FakeTurbopuffer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One write as the server saw it: ids in request order, upserts by id with their attributes, deleted ids. */
    record Write(List<String> ids, Map<String, Map<String, Object>> upserts, List<String> deletes, boolean answered) {}

    volatile long latencyMs;
    /** While closed, writes wait before they are answered (opened by default). */
    volatile CountDownLatch gate = new CountDownLatch(0);

    volatile int status = 200;
    /** The next this many writes are answered 503 (before {@link #status} applies). */
    final AtomicInteger unavailable = new AtomicInteger();

    final Set<String> poison = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final HttpServer server;
    private final ScheduledExecutorService delays = Executors.newScheduledThreadPool(4, r -> {
        Thread t = new Thread(r, "fake-turbopuffer-answer");
        t.setDaemon(true);
        return t;
    });
    private final List<Write> writes = new CopyOnWriteArrayList<>();
    private final AtomicInteger received = new AtomicInteger();
    private final Set<String> inFlight = new HashSet<>();
    private final Set<String> overlapping = new HashSet<>();
    private int maxConcurrent;
    private int concurrent;

    FakeTurbopuffer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-turbopuffer");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The writes answered with 200, in the order they were answered. */
    List<Write> accepted() {
        return writes.stream().filter(Write::answered).toList();
    }

    /** Every write answered, accepted or not, in the order they were answered. */
    List<Write> all() {
        return List.copyOf(writes);
    }

    /** Every write received, answered or not. */
    int received() {
        return received.get();
    }

    /** The ids that were in two writes in flight at the same time (should stay empty). */
    synchronized Set<String> overlapping() {
        return Set.copyOf(overlapping);
    }

    synchronized int maxConcurrent() {
        return maxConcurrent;
    }

    /** The namespace the accepted writes leave behind: id → attributes. */
    Map<String, Map<String, Object>> documents() {
        Map<String, Map<String, Object>> docs = new LinkedHashMap<>();
        for (Write w : accepted()) {
            w.deletes().forEach(docs::remove);
            docs.putAll(w.upserts());
        }
        return docs;
    }

    private void handle(HttpExchange ex) throws IOException {
        JsonNode body;
        try (InputStream raw = ex.getRequestBody();
                InputStream in = "gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))
                        ? new GZIPInputStream(raw)
                        : raw) {
            body = JSON.readTree(in);
        }
        Map<String, Map<String, Object>> upserts = upserts(body.path("upsert_columns"));
        List<String> deletes = new ArrayList<>();
        body.path("deletes").forEach(id -> deletes.add(id.asText()));
        List<String> ids = new ArrayList<>(upserts.keySet());
        ids.addAll(deletes);
        received.incrementAndGet();
        begin(ids);
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // the answer comes after the latency, from the scheduler's thread (an exchange may be finished by any)
        delays.schedule(() -> answer(ex, ids, upserts, deletes), latencyMs, TimeUnit.MILLISECONDS);
    }

    private void answer(
            HttpExchange ex, List<String> ids, Map<String, Map<String, Object>> upserts, List<String> deletes) {
        try {
            int answer = unavailable.getAndUpdate(n -> Math.max(0, n - 1)) > 0
                    ? 503
                    : status != 200 ? status : upserts.keySet().stream().anyMatch(poison::contains) ? 400 : 200;
            boolean ok = answer == 200;
            String text = ok
                    ? "{\"rows_affected\":" + ids.size() + "}"
                    : "{\"status\":\"error\",\"error\":\"fake turbopuffer rejects this request\"}";
            writes.add(new Write(ids, upserts, deletes, ok));
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(answer, bytes.length);
            ex.getResponseBody().write(bytes);
        } catch (IOException e) {
            // the client went away (a test tearing down)
        } finally {
            end(ids);
            ex.close();
        }
    }

    private synchronized void begin(List<String> ids) {
        for (String id : ids) {
            if (!inFlight.add(id)) {
                overlapping.add(id);
            }
        }
        maxConcurrent = Math.max(maxConcurrent, ++concurrent);
    }

    private synchronized void end(List<String> ids) {
        ids.forEach(inFlight::remove);
        concurrent--;
    }

    private static Map<String, Map<String, Object>> upserts(JsonNode columns) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        JsonNode ids = columns.path("id");
        for (int i = 0; i < ids.size(); i++) {
            Map<String, Object> doc = new LinkedHashMap<>();
            int row = i;
            columns.fields().forEachRemaining(f -> {
                if (!f.getKey().equals("id")) {
                    doc.put(f.getKey(), JSON.convertValue(f.getValue().get(row), Object.class));
                }
            });
            out.put(ids.get(i).asText(), doc);
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        delays.shutdownNow();
    }
}
